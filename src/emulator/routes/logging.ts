/**
 * The request log of `--log`: fastify's logger, with what it writes about a
 * request reduced to what is safe to keep. Query values are redacted (a
 * token or a secret can travel in one); headers and bodies are never logged.
 */
import type { FastifyLoggerOptions, FastifyRequest } from 'fastify';

/** Written in place of each query value. */
export const REDACTED_QUERY_VALUE = '[REDACTED]';

/** The logger options: off, or fastify's logger with the redacting request serializer. */
export function requestLogger(enabled: boolean): false | FastifyLoggerOptions {
  if (!enabled) return false;
  return {
    level: 'info',
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactQuery(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

/**
 * `url` with every query value replaced, names kept:
 * `/rest/history?input=a` -> `/rest/history?input=[REDACTED]`.
 */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    // A bare `?token` is all value: redacted whole.
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? REDACTED_QUERY_VALUE : `${pair.slice(0, eq)}=${REDACTED_QUERY_VALUE}`;
    });
  return `${url.slice(0, at)}?${names.join('&')}`;
}
