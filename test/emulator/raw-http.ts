/**
 * Raw HTTP for the attacker-style emulator tests: node:http, so a test can
 * send what fetch refuses to (any `Host`, a chunked body of any size) and see
 * exactly what comes back. Loopback only.
 */
import * as http from 'node:http';

/** One raw request. */
export interface RawRequest {
  readonly port: number;
  readonly method: string;
  readonly path: string;
  readonly headers?: http.OutgoingHttpHeaders;
  /** Sent as is; with `chunked`, in several chunks without Content-Length. */
  readonly body?: string | Buffer;
  readonly chunked?: boolean;
}

/** An answer: status, headers, body text. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly text: string;
}

/** Sends one request on a fresh connection to 127.0.0.1. */
export function rawRequest(req: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { connection: 'close', ...req.headers };
    if (req.chunked) headers['transfer-encoding'] = 'chunked';
    else if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const client = http.request(
      { host: '127.0.0.1', port: req.port, method: req.method, path: req.path, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    client.on('error', reject);
    client.setTimeout(30_000, () => client.destroy(new Error('no answer within 30 s')));
    if (req.body !== undefined) {
      const body = Buffer.from(req.body);
      const chunkSize = req.chunked ? 64 * 1024 : body.length || 1;
      for (let at = 0; at < body.length; at += chunkSize)
        client.write(body.subarray(at, at + chunkSize));
    }
    client.end();
  });
}

/** The JSON body of an answer, or undefined. */
export function jsonOf(answer: RawAnswer): any {
  try {
    return JSON.parse(answer.text);
  } catch {
    return undefined;
  }
}
