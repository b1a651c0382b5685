/**
 * A bounded closed-loop load generator over keep-alive HTTP (node:http, no
 * dependency): `connections` workers each send one request, wait for the
 * whole answer, and send the next, until `durationMs` has passed. Loopback
 * only: it refuses any other host.
 */
import * as http from 'node:http';
import { msSince, percentile } from './stats';

/** One request of the load. */
export interface LoadRequest {
  readonly method: 'GET' | 'PUT' | 'POST';
  readonly path: string;
  readonly body?: string;
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Concurrent requests in flight (one keep-alive connection each). */
  readonly connections: number;
  readonly durationMs: number;
  /** Requests sent before measuring starts, per worker. @default 20 */
  readonly warmup?: number;
  /** The i-th request (i counts from 0 over all workers). */
  readonly request: (i: number) => LoadRequest;
  /**
   * Checks an answer; a thrown error counts as a failed request. Without it
   * only the status is checked (2xx) and the body is counted, not decoded,
   * so the generator spends little CPU on large answers.
   */
  readonly check?: (status: number, body: string) => void;
}

/** What a load run measured. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** Mean answer size in bytes. */
  readonly meanBytes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly firstError?: string;
}

/** Runs the load; resolves when every worker has finished its last request. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = new URL(options.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
    throw new Error(`load generator is loopback only, not ${base.hostname}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  let counter = 0;
  const send = (req: LoadRequest) =>
    new Promise<{ status: number; body: string; bytes: number }>((resolve, reject) => {
      const headers: Record<string, string> = { ...options.headers };
      if (req.body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(req.body));
      }
      const r = http.request(
        { host: base.hostname, port: base.port, path: req.path, method: req.method, agent, headers },
        (res) => {
          const status = res.statusCode ?? 0;
          const decode = options.check !== undefined || status < 200 || status >= 300;
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            if (decode) chunks.push(c);
          });
          res.on('end', () =>
            resolve({ status, bytes, body: decode ? Buffer.concat(chunks).toString('utf8') : '' }),
          );
          res.on('error', reject);
        },
      );
      r.on('error', reject);
      r.end(req.body);
    });

  const latencies: number[] = [];
  let bytesReceived = 0;
  let errors = 0;
  let firstError: string | undefined;
  const one = async (measure: boolean) => {
    const req = options.request(counter++);
    const started = process.hrtime.bigint();
    try {
      const { status, body, bytes } = await send(req);
      if (measure) bytesReceived += bytes;
      if (options.check) options.check(status, body);
      else if (status < 200 || status >= 300) throw new Error(`${req.method} ${req.path}: ${status} ${body.slice(0, 200)}`);
      if (measure) latencies.push(msSince(started));
    } catch (error) {
      if (measure) errors++;
      firstError ??= (error as Error).message;
    }
  };

  const warmup = options.warmup ?? 20;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      for (let i = 0; i < warmup; i++) await one(false);
    }),
  );
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.durationMs;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (Date.now() < deadline) await one(true);
    }),
  );
  const seconds = msSince(started) / 1000;
  agent.destroy();
  const ok = latencies.length;
  return {
    requests: ok,
    errors,
    seconds,
    perSecond: ok / seconds,
    meanBytes: ok ? bytesReceived / (ok + errors) : 0,
    p50Ms: ok ? percentile(latencies, 50) : NaN,
    p99Ms: ok ? percentile(latencies, 99) : NaN,
    firstError,
  };
}
