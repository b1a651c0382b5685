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
 * `content-type: application/json` on bodiless PUTs); `text/plain` is kept
 * as text (sleep times); anything else (no content type) is parsed as JSON
 * when it is JSON and kept as text otherwise. Bodies over {@link BODY_LIMIT_BYTES}
 * answer 413: counted on the bytes received, so a chunked body (no
 * `Content-Length`) or one that understates its length is held to the limit
 * too.
 */
export const requestBodies = unencapsulated(async (app: FastifyInstance) => {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    if (body.length > BODY_LIMIT_BYTES) return done(tooLarge(), undefined);
    const text = body.toString('utf8');
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
  // fastify's own text/plain parser, with the limit: the text as is, never parsed as JSON.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (_req, body, done) => {
    if (body.length > BODY_LIMIT_BYTES) return done(tooLarge(), undefined);
    done(null, body.toString('utf8'));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
    if (body.length > BODY_LIMIT_BYTES) return done(tooLarge(), undefined);
    const text = body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseJson(text));
    } catch {
      done(null, text);
    }
  });
}, 'request-bodies');

/** The 413 the error handler answers (with the limit in its message). */
function tooLarge(): Error {
  return Object.assign(new Error('too large'), { statusCode: 413 });
}

function parseJson(text: string): unknown {
  // Drop `__proto__` keys (prototype pollution); the reviver is slow, so only when present.
  return text.includes('"__proto__"')
    ? JSON.parse(text, (key, value) => (key === '__proto__' ? undefined : value))
    : JSON.parse(text);
}
