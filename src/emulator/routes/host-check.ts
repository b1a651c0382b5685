/**
 * The `Host` header check, first on every request (REST API, console,
 * control API): only the names and addresses this emulator answers for are
 * accepted, anything else gets 421 with nothing done. A web page can make a
 * browser send requests to 127.0.0.1 under its own name (DNS rebinding);
 * such requests carry that name in `Host`, so they stop here, before
 * counting, faults, authentication and any route.
 */
import * as os from 'node:os';
import type { FastifyInstance } from 'fastify';
import { MisdirectedRequestError } from '../errors';
import { unencapsulated } from './context';

/** Names a loopback listener answers for. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
/** Addresses that mean "every interface". */
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The host names (without port, lower case, IPv6 in brackets) accepted in
 * `Host` by a server listening on `listenHost`: the loopback names, the
 * listening address itself (every interface address for a wildcard one),
 * and `configured` names.
 */
export function allowedHostNames(
  listenHost: string,
  configured: readonly string[] = [],
): Set<string> {
  const names = new Set<string>(LOOPBACK_NAMES);
  const add = (name: string) => {
    const normal = normalHostName(name);
    if (normal) names.add(normal);
  };
  if (WILDCARD_ADDRESSES.has(listenHost)) {
    for (const addresses of Object.values(os.networkInterfaces()))
      for (const a of addresses ?? []) add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
    add(os.hostname());
  } else {
    add(listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost);
  }
  for (const name of configured) add(name);
  return names;
}

/** The host name of a `Host` header value, lower case, without the port; undefined when malformed. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header.trim());
  return match ? normalHostName(match[1]) : undefined;
}

function normalHostName(name: string): string | undefined {
  const trimmed = name.trim().toLowerCase();
  return trimmed === '' ? undefined : trimmed;
}

/** The check, for the whole server. */
export function hostCheck(allowed: ReadonlySet<string>) {
  return unencapsulated(async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      const name = hostNameOf(request.headers.host);
      if (name !== undefined && allowed.has(name)) return;
      throw new MisdirectedRequestError(
        `This emulator does not answer for the host ${JSON.stringify(request.headers.host ?? '')} ` +
          '(it answers for its loopback names and listening address): to reach it under another ' +
          'name, start it with --allowed-host NAME.',
      );
    });
  }, 'host-check');
}
