/**
 * The web console: read-only pages over the account's inputs and the history
 * of what each write changed, served by the emulator on its own port. Behind
 * the account's login (user and password, a session cookie; API keys do not
 * open it). Server-rendered HTML with no script at all, so the Content
 * Security Policy forbids every script; one stylesheet from the same origin.
 * Everything that comes from the API (names, configuration, history) is user
 * data and goes through {@link html} escaping.
 */
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MARKER_FIELD } from '../alooma/fields';
import { readOwnershipMarker } from '../alooma/ownership-marker';
import { parseLiveJsonField } from '../alooma/canonical';
import { isSystemInputType, systemInputNote } from '../alooma/input-types';
import { isPlainObject } from '../alooma/json';
import { isCrossOriginBrowserRequest } from './auth';
import { FieldChange, HistoryEntry } from './history';
import { PasswordLogin } from './login';
import { PublicNode } from './nodes';
import { closeSession, openSession, sessionToken } from './session-cookie';
import { AloomaStore } from './store';

/** Where the console lives. */
const CONSOLE_PATH = '/console';

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/** What the console needs of the server. */
export interface ConsoleOptions {
  readonly store: AloomaStore;
  readonly sessionTtlS: number;
  /** Password logins (throttled), shared with the API's `POST login`. */
  readonly logins: PasswordLogin;
}

/** Escapes text for HTML element content and quoted attribute values. */
function html(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Registers the console's routes on `app` (at the root, apart from `/rest`). */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const { store } = options;

  const page = (reply: FastifyReply, title: string, body: string, status = 200) =>
    reply
      .code(status)
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      // same-origin, not no-referrer: with no-referrer Chromium posts forms with Origin: null.
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(layout(title, body));

  /** The signed-in user, or a redirect to the login page. */
  const session = (request: FastifyRequest, reply: FastifyReply) => {
    const token = sessionToken(request);
    const found = token ? store.findSession(token) : undefined;
    if (found?.status === 'valid') return { account: found.account, email: found.email };
    const next = encodeURIComponent(request.url);
    void reply.redirect(`${CONSOLE_PATH}/login?next=${next}`, 303);
    return undefined;
  };

  // Login CSRF and logout CSRF: the console's forms post only from its own pages.
  const crossOrigin = (reply: FastifyReply) =>
    page(
      reply,
      'Refused',
      '<main class="narrow"><h1>Refused</h1><p>Cross-origin form posts are refused.</p></main>',
      403,
    );

  app.get('/', async (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 303));

  app.get(`${CONSOLE_PATH}/style.css`, async (_request, reply) =>
    reply.header('cache-control', 'max-age=300').type('text/css; charset=utf-8').send(STYLE),
  );

  // A `next` that cannot be a Location header (CR/LF, non-ASCII, given twice): 400 with the reason.
  const badNext = (reply: FastifyReply) =>
    page(
      reply,
      'Bad request',
      `<main class="narrow"><h1>Bad request</h1><p class="error" role="alert">${html(NEXT_RULE)}</p>
<p><a href="${CONSOLE_PATH}/login">Sign in</a></p></main>`,
      400,
    );

  app.get<{ Querystring: { next?: unknown; failed?: string } }>(
    `${CONSOLE_PATH}/login`,
    async (request, reply) => {
      const next = checkedNext(request.query.next);
      if (next === undefined) return badNext(reply);
      return page(
        reply,
        'Sign in',
        `<main class="narrow"><h1>Alooma emulator</h1>
<form method="post" action="${CONSOLE_PATH}/login">
${request.query.failed !== undefined ? '<p class="error" role="alert">Wrong e-mail or password.</p>' : ''}
<input type="hidden" name="next" value="${html(next)}">
<label>E-mail <input name="email" type="email" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></main>`,
        request.query.failed ? 401 : 200,
      );
    },
  );

  app.post(`${CONSOLE_PATH}/login`, async (request, reply) => {
    if (isCrossOriginBrowserRequest(request.headers)) return crossOrigin(reply);
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    const email = form.get('email') ?? '';
    const password = form.get('password') ?? '';
    const nexts = form.getAll('next');
    const next = checkedNext(nexts.length > 1 ? nexts : nexts[0]);
    if (next === undefined) return badNext(reply);
    const result = await options.logins.attempt(email, password, request.ip);
    if (result.status === 'throttled') {
      void reply.header('retry-after', String(result.retryAfterS));
      return page(
        reply,
        'Too many attempts',
        `<main class="narrow"><h1>Too many attempts</h1><p class="error" role="alert">Too many failed sign-ins for this user or address: try again in ${result.retryAfterS} s.</p>
<p><a href="${CONSOLE_PATH}/login?next=${html(encodeURIComponent(next))}">Sign in</a></p></main>`,
        429,
      );
    }
    if (result.status !== 'ok')
      return reply.redirect(`${CONSOLE_PATH}/login?failed=1&next=${encodeURIComponent(next)}`, 303);
    openSession(store, request, reply, { account: result.account, email }, options.sessionTtlS);
    return reply.redirect(next, 303);
  });

  app.post(`${CONSOLE_PATH}/logout`, async (request, reply) => {
    if (isCrossOriginBrowserRequest(request.headers)) return crossOrigin(reply);
    closeSession(store, request, reply);
    return reply.redirect(`${CONSOLE_PATH}/login`, 303);
  });

  app.get<{ Querystring: { q?: string } }>(`${CONSOLE_PATH}/`, async (request, reply) => {
    const user = session(request, reply);
    if (!user) return reply;
    const filter = typeof request.query.q === 'string' ? request.query.q.trim() : '';
    const lastChange = new Map<string, HistoryEntry>();
    for (const entry of store.history(user.account, undefined, 5000))
      if (!lastChange.has(entry.inputId)) lastChange.set(entry.inputId, entry);
    const inputs = publicInputs(store, user.account).filter((n) =>
      filter === '' ? true : n.name.toLowerCase().includes(filter.toLowerCase()),
    );
    const rows = inputs
      .map((n) => {
        const change = lastChange.get(n.id);
        return `<tr>
<td><a href="${CONSOLE_PATH}/inputs/${encodeURIComponent(n.id)}">${html(n.name)}</a>${
          isSystemInputType(n.type)
            ? `<br><small class="note">${html(systemInputNote(n.type))}</small>`
            : ''
        }</td>
<td>${html(n.type)}</td>
<td><span class="state ${n.paused ? 'paused' : 'live'}">${n.paused ? 'paused' : 'live'}</span></td>
<td>${html(tableNames(n).join(', ') || '—')}</td>
<td>${html(ownerLabel(n))}</td>
<td>${change ? `<time datetime="${html(change.at)}">${html(shortTime(change.at))}</time> ${html(change.action)}` : '—'}</td>
</tr>`;
      })
      .join('\n');
    return page(
      reply,
      'Inputs',
      `${header(user.email, user.account, 'inputs')}
<main><h1>Inputs <small>${inputs.length}</small></h1>
<form method="get" action="${CONSOLE_PATH}/" class="filter" role="search">
<label>Filter by name <input name="q" value="${html(filter)}"></label> <button type="submit">Filter</button>
</form>
<table><thead><tr><th>Name</th><th>Type</th><th>State</th><th>Tables</th><th>Owner</th><th>Last change</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="6">No input matches.</td></tr>'}
</tbody></table></main>`,
    );
  });

  app.get<{ Params: { id: string } }>(`${CONSOLE_PATH}/inputs/:id`, async (request, reply) => {
    const user = session(request, reply);
    if (!user) return reply;
    const json = store.inputJson(user.account, request.params.id);
    const node = json === undefined ? undefined : (JSON.parse(json) as PublicNode);
    if (!node) {
      return page(
        reply,
        'Not found',
        `${header(user.email, user.account, 'inputs')}<main><h1>No such input</h1><p><a href="${CONSOLE_PATH}/">All inputs</a></p></main>`,
        404,
      );
    }
    const { [MARKER_FIELD]: marker, ...configuration } = node.configuration;
    const tables = tableMap(node);
    const parameters = Array.isArray(configuration.parameters) ? configuration.parameters : [];
    const history = store.history(user.account, node.id, 200);
    return page(
      reply,
      node.name,
      `${header(user.email, user.account, 'inputs')}
<main><p><a href="${CONSOLE_PATH}/">All inputs</a></p>
<h1>${html(node.name)}</h1>
${isSystemInputType(node.type) ? `<p class="note">${html(systemInputNote(node.type))}</p>` : ''}
<dl class="facts"><dt>Type</dt><dd>${html(node.type)}</dd><dt>State</dt><dd>${node.paused ? 'paused' : 'live'}</dd>
<dt>Owner</dt><dd>${html(ownerLabel(node))}</dd><dt>Id</dt><dd><code>${html(node.id)}</code></dd>
<dt>Created</dt><dd>${html(node.created_at)}</dd></dl>
${
  tables
    ? `<h2>Tables</h2><table><thead><tr><th>Table</th><th>Update indicator</th></tr></thead><tbody>
${Object.entries(tables)
  .map(([t, indicator]) => `<tr><td>${html(t)}</td><td><code>${html(indicator)}</code></td></tr>`)
  .join('\n')}</tbody></table>`
    : ''
}
${
  parameters.length
    ? `<h2>REST parameters</h2><table><thead><tr><th>Parameter</th><th>Type</th><th>Value</th><th>Template</th></tr></thead><tbody>
${parameters
  .map((p: unknown) => {
    const q = isPlainObject(p) ? p : {};
    return `<tr><td>${html(q.parameter)}</td><td>${html(q.type)}</td><td><code>${html(JSON.stringify(q.value))}</code></td><td><code>${html(q.template ?? '')}</code></td></tr>`;
  })
  .join('\n')}</tbody></table>`
    : ''
}
<h2>Configuration</h2><p class="note">Secrets show as ********.</p>
<pre>${html(JSON.stringify(configuration, null, 2))}</pre>
${marker === undefined ? '' : `<h2>Ownership marker</h2><pre>${html(JSON.stringify(marker, null, 2))}</pre>`}
<h2>History</h2>${historyTable(history, false)}</main>`,
    );
  });

  app.get(`${CONSOLE_PATH}/history`, async (request, reply) => {
    const user = session(request, reply);
    if (!user) return reply;
    const history = store.history(user.account, undefined, 500);
    return page(
      reply,
      'History',
      `${header(user.email, user.account, 'history')}<main><h1>History <small>${history.length}</small></h1>
<p class="note">Every write to an input, newest first. Secrets show only as changed.</p>
${historyTable(history, true)}</main>`,
    );
  });
}

/** The account's live inputs as the API shows them (secrets masked). */
function publicInputs(store: AloomaStore, account: string): PublicNode[] {
  const mapping = JSON.parse(store.inputsJson(account)) as Record<string, PublicNode>;
  return Object.values(mapping).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function tableMap(node: PublicNode): Record<string, unknown> | undefined {
  return parseLiveJsonField(node.configuration.tables);
}

function tableNames(node: PublicNode): string[] {
  return Object.keys(tableMap(node) ?? {});
}

function ownerOf(node: PublicNode): string | undefined {
  return readOwnershipMarker(node.configuration)?.owner;
}

/** Who owns an input: the stack of its marker, Alooma for a system input, else nobody. */
function ownerLabel(node: PublicNode): string {
  if (isSystemInputType(node.type)) return 'Alooma (system input)';
  return ownerOf(node) ?? 'unmanaged';
}

function historyTable(entries: readonly HistoryEntry[], withInput: boolean): string {
  if (entries.length === 0) return '<p>No change recorded yet.</p>';
  const rows = entries
    .map(
      (e) => `<tr>
<td><time datetime="${html(e.at)}">${html(shortTime(e.at))}</time></td>
${withInput ? `<td><a href="${CONSOLE_PATH}/inputs/${encodeURIComponent(e.inputId)}">${html(e.inputName)}</a></td>` : ''}
<td>${html(e.action)}</td><td>${html(e.actor)}</td>
<td>${e.changes.length ? `<ul class="changes">${e.changes.map(changeItem).join('')}</ul>` : '—'}</td>
</tr>`,
    )
    .join('\n');
  return `<table class="history"><thead><tr><th>When</th>${withInput ? '<th>Input</th>' : ''}<th>What</th><th>Who</th><th>Changes</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function changeItem(change: FieldChange): string {
  if (change.secret) return `<li><code>${html(change.field)}</code> changed (secret)</li>`;
  if (change.from === undefined)
    return `<li><code>${html(change.field)}</code> added: <code>${html(change.to)}</code></li>`;
  if (change.to === undefined)
    return `<li><code>${html(change.field)}</code> removed (was <code>${html(change.from)}</code>)</li>`;
  return `<li><code>${html(change.field)}</code>: <code>${html(change.from)}</code> → <code>${html(change.to)}</code></li>`;
}

function header(email: string, account: string, current: 'inputs' | 'history'): string {
  const link = (href: string, label: string, name: typeof current) =>
    `<a href="${href}"${current === name ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<header><nav aria-label="Console">${link(`${CONSOLE_PATH}/`, 'Inputs', 'inputs')} ${link(`${CONSOLE_PATH}/history`, 'History', 'history')}</nav>
<span class="who">${html(email)} · account ${html(account)}</span>
<form method="post" action="${CONSOLE_PATH}/logout"><button type="submit">Sign out</button></form></header>`;
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)} · Alooma emulator</title><link rel="stylesheet" href="${CONSOLE_PATH}/style.css"></head>
<body>${body}</body></html>`;
}

/** What a `next` must be; the text of the 400 otherwise. */
const NEXT_RULE =
  "Parameter 'next' must be given at most once, as a path of printable ASCII characters " +
  '(percent-encode anything else).';

/**
 * The page to go to after signing in, or undefined when `next` cannot be
 * one: it ends up in a `Location` header, where CR/LF (header injection)
 * and non-ASCII have no place. Paths outside the console become the
 * console's start page ({@link safeNext}).
 */
function checkedNext(next: unknown): string | undefined {
  if (next === undefined) return safeNext(undefined);
  if (typeof next !== 'string' || !/^[\x21-\x7e]*$/.test(next)) return undefined;
  return safeNext(next);
}

/** Only paths of the console: never an open redirect. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith(`${CONSOLE_PATH}/`) && !next.startsWith('//')
    ? next
    : `${CONSOLE_PATH}/`;
}

function shortTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

const STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d232a; background: #fafbfc; }
body { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.5rem; background: #24313f; color: #fff; }
header a { color: #fff; text-decoration: none; font-weight: 600; }
header a[aria-current="page"] { text-decoration: underline; }
header .who { margin-left: auto; opacity: .85; }
header form { margin: 0; }
main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
main.narrow { max-width: 24rem; margin: 4rem auto; }
h1 small { font-weight: 400; color: #5b6672; font-size: .6em; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; background: #fff; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #e3e7eb; vertical-align: top; }
th { background: #eef1f4; font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; }
a { color: #0b5cad; }
a:focus, button:focus, input:focus { outline: 3px solid #f0a500; outline-offset: 1px; }
code, pre { font-family: ui-monospace, monospace; font-size: .9rem; }
pre { background: #fff; border: 1px solid #e3e7eb; padding: .8rem; overflow: auto; }
.state { padding: .1rem .5rem; border-radius: 1rem; font-size: .85rem; }
.state.live { background: #dff3e4; color: #17612d; }
.state.paused { background: #fdeccf; color: #7a4b00; }
.note { color: #5b6672; }
.error { color: #a3241c; font-weight: 600; }
form label { display: block; margin: .6rem 0; }
form.filter label { display: inline; }
input { font: inherit; padding: .35rem .5rem; }
button { font: inherit; padding: .35rem .9rem; cursor: pointer; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dl.facts dt { font-weight: 600; }
ul.changes { margin: 0; padding-left: 1.1rem; }
`;
