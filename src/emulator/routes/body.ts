/**
 * Request bodies, for the whole server (REST API and console): lenient JSON
 * parsing and the body size limit.
 */
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../errors';
import { unencapsulated } from './context';

/** Largest request body accepted (413 beyond). */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * Bodies up to this size are read to the end before a 413 is sent: answering
 * while the client is still uploading makes it see a reset connection
 * instead of the 413 and its message.
 */
export const READ_LIMIT_BYTES = 16 * BODY_LIMIT_BYTES;

/**
 * JSON bodies, leniently: an empty body is "no body" (clients send
 * `content-type: application/json` on bodiless PUTs), and anything else
 * (`text/plain` sleep times, no content type) is parsed as JSON when it is
 * JSON and kept as text otherwise. Bodies over {@link BODY_LIMIT_BYTES}
 * answer 413.
 */
export const requestBodies = unencapsulated(async (app: FastifyInstance) => {
  app.addHook('preHandler', async (request) => {
    if (
      request.body !== undefined &&
      Number(request.headers['content-length'] ?? 0) > BODY_LIMIT_BYTES
    ) {
      throw Object.assign(new Error('too large'), { statusCode: 413 });
    }
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch (err) {
      done(
        new ValidationError(`Request body is not valid JSON: ${(err as Error).message}`),
        undefined,
      );
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch {
      done(null, text);
    }
  });
}, 'request-bodies');

function parseJson(text: string): unknown {
  // Drop `__proto__` keys (prototype pollution); the reviver is slow, so only when present.
  return text.includes('"__proto__"')
    ? JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value))
    : JSON.parse(text);
}
