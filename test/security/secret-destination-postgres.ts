/**
 * A fake PostgreSQL server on 127.0.0.1 that speaks just enough of the
 * protocol to ask a client for its password in clear
 * (AuthenticationCleartextPassword) and to record what arrives. It answers an
 * SSLRequest with 'N' (no TLS), or, when given a certificate, upgrades the
 * connection to TLS first. Whatever password it receives, it refuses the
 * login (28P01), so nothing goes further. Attacker-style tests use it as the
 * host an input is moved to.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';

/** What the fake server saw on one connection. */
export interface FakeConnection {
  /** The connection was upgraded to TLS before the startup message. */
  tls: boolean;
  /** The client sent an SSLRequest. */
  sslRequested: boolean;
  /** `user` of the startup message, when one arrived. */
  user?: string;
  /** The password message's content, when one arrived. */
  password?: string;
}

/** A running fake server. */
export interface FakePostgres {
  readonly port: number;
  /** Every connection so far, in order. */
  readonly connections: FakeConnection[];
  /** Every password received, on any connection. */
  passwords(): string[];
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const PROTOCOL_3 = 196608;

/** Starts the fake server; `certificate` makes it accept TLS. */
export async function startFakePostgres(certificate?: {
  key: string;
  cert: string;
}): Promise<FakePostgres> {
  const connections: FakeConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const seen: FakeConnection = { tls: false, sslRequested: false };
    connections.push(seen);
    serve(socket, seen, certificate, sockets);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    passwords: () => connections.flatMap((c) => (c.password === undefined ? [] : [c.password])),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function serve(
  socket: net.Socket,
  seen: FakeConnection,
  certificate: { key: string; cert: string } | undefined,
  sockets: Set<net.Socket>,
): void {
  let buffer = Buffer.alloc(0);
  let started = false;
  const onData = (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (!started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return;
        const code = buffer.readInt32BE(4);
        const body = buffer.subarray(8, length);
        buffer = buffer.subarray(length);
        if (code === SSL_REQUEST) {
          seen.sslRequested = true;
          if (!certificate) {
            socket.write('N');
            continue;
          }
          socket.removeListener('data', onData);
          socket.write('S');
          const secure = new tls.TLSSocket(socket, { isServer: true, ...certificate });
          sockets.add(secure);
          secure.on('error', () => undefined);
          seen.tls = true;
          serve(secure, seen, undefined, sockets);
          return;
        }
        if (code !== PROTOCOL_3) {
          socket.destroy();
          return;
        }
        started = true;
        const fields = body.toString('utf8').split('\0');
        const userAt = fields.indexOf('user');
        if (userAt >= 0) seen.user = fields[userAt + 1];
        socket.write(authenticationCleartextPassword());
        continue;
      }
      if (buffer.length < 5) return;
      const type = String.fromCharCode(buffer[0]);
      const length = buffer.readInt32BE(1);
      if (buffer.length < length + 1) return;
      const body = buffer.subarray(5, length + 1);
      buffer = buffer.subarray(length + 1);
      if (type === 'p') {
        seen.password = body.toString('utf8').replace(/\0$/, '');
        socket.end(errorResponse('28P01', 'password authentication failed'));
        return;
      }
    }
  };
  socket.on('data', onData);
}

function authenticationCleartextPassword(): Buffer {
  const message = Buffer.alloc(9);
  message.write('R', 0);
  message.writeInt32BE(8, 1);
  message.writeInt32BE(3, 5);
  return message;
}

function errorResponse(code: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, 'utf8');
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}
