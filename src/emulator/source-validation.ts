/**
 * Real source validation, as the service did it on validating creates and
 * edits: the emulator connects to the PostgreSQL database of an ODBC input
 * with the input's own settings and checks that every table exists, can be
 * read, and that its update indicator is a valid expression on it.
 *
 * What is checked, per ODBC input with `db_type` psql / postgres / postgresql:
 * - the host resolves, the server answers within the connect timeout, and
 *   logs `user` in to `database` with `password` (the stored one when the
 *   request carried the mask back, which it may only do while the
 *   destination is unchanged: src/alooma/secret-destination.ts);
 *
 * How the password travels: TLS when the server offers it (`sslmode=prefer`,
 * the certificate not verified: see {@link PREFER_TLS}); a server without TLS
 * that asks for the password in clear gets nothing, and the input is refused
 * on `allow_cleartext_password`, unless the input sets
 * `allow_cleartext_password: true`. MD5 and SCRAM logins never send it.
 *
 * - `schema`, when set, exists; tables without a schema are looked up in it
 *   (a table named `sales.invoices` names its own schema);
 * - per table, `SELECT (<indicator>) FROM <schema>.<table> LIMIT 0` succeeds.
 *
 * How the user's indicator is run safely (it is SQL from the request):
 * table and schema names are quoted identifiers, never spliced text;
 * indicators holding `;`, a NUL or a comment token (`--`, `/*`, `*\/`) are
 * refused before connecting; the statement goes through the extended query
 * protocol (the server refuses more than one statement); it runs in a
 * `READ ONLY` transaction with `statement_timeout` and `lock_timeout`, which is
 * always rolled back; and `LIMIT 0` means no row is produced, so the
 * expression is analysed and planned but never evaluated on data. The
 * connection is closed whatever happens. Passwords never appear in answers
 * or logs.
 *
 * Not checked (accepted): other `db_type`s and input types (the emulator
 * speaks only PostgreSQL), and inputs that connect through an SSH tunnel
 * (`ssh` set: the emulator does not open tunnels). A warning says so.
 *
 * Modes ({@link SourceValidationMode}): `resolvable` (the default) checks
 * every source whose host name resolves on the emulator's machine and skips,
 * with a warning, names that do not: placeholders like
 * `db.internal.example` in examples and tests, or hosts that only a VPN's DNS
 * knows. `strict` refuses those too, as the service would have.
 */
import { lookup } from 'node:dns/promises';
import { Client, ClientConfig, DatabaseError, QueryConfig, escapeIdentifier } from 'pg';
import { ODBC_SOURCE_FIELDS } from '../alooma/fields';
import { isPlainObject } from '../alooma/json';
import { AloomaInputType } from '../alooma/input-types';
import {
  InputDraft,
  SourceValidationContext,
  SourceValidationResult,
  SourceValidator,
} from './validation';

/** How much of source validation runs; see the module comment. */
export type SourceValidationMode = 'resolvable' | 'strict' | 'off';

/** Every {@link SourceValidationMode}, the default first. */
export const SOURCE_VALIDATION_MODES: readonly SourceValidationMode[] = [
  'resolvable',
  'strict',
  'off',
];

/** Default time to resolve, connect and log in, and to run each statement. */
export const DEFAULT_SOURCE_TIMEOUT_MS = 5000;

/**
 * `db_type` values of ODBC inputs that are validated against PostgreSQL.
 * `ODBC_DB_TYPES` (src/alooma/rules.ts) admits only `psql`, the service's
 * name, today; the aliases are recognised here should it ever admit them.
 */
export const POSTGRES_DB_TYPES: readonly string[] = ['psql', 'postgres', 'postgresql'];

/** Options of {@link PostgresSourceValidator}. */
export interface PostgresSourceValidatorOptions {
  /** `resolvable` skips hosts that do not resolve; `strict` refuses them. @default 'resolvable' */
  readonly mode?: Exclude<SourceValidationMode, 'off'>;
  /** Limit on resolving the host, on connecting and logging in, and on each statement, in ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Where notes on skipped validations go (never passwords). @default console.warn */
  readonly warn?: (message: string) => void;
}

/** Characters and tokens refused in an update indicator, with how to name them. */
const FORBIDDEN_IN_INDICATOR: readonly (readonly [string, string])[] = [
  [';', "';'"],
  ['--', "a '--' comment"],
  ['/*', "a '/*' comment"],
  ['*/', "a '*/' comment end"],
  ['\0', 'a NUL character'],
];

/** DNS answers meaning "no such name here" (as opposed to a network failure). */
const UNRESOLVED_CODES = new Set(['ENOTFOUND', 'EAI_NONAME', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA']);

/** The {@link SourceValidator} of the emulator: checks PostgreSQL sources for real. */
export class PostgresSourceValidator implements SourceValidator {
  private readonly mode: Exclude<SourceValidationMode, 'off'>;
  private readonly timeoutMs: number;
  private readonly warn: (message: string) => void;
  /** What was already warned about (a host, an input behind SSH): a stack of many inputs warns once. */
  private readonly warned = new Set<string>();

  constructor(options: PostgresSourceValidatorOptions = {}) {
    this.mode = options.mode ?? 'resolvable';
    if (!SOURCE_VALIDATION_MODES.includes(this.mode) || (this.mode as string) === 'off') {
      throw new Error(`source validation mode must be resolvable or strict (got ${this.mode})`);
    }
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS;
    if (!(this.timeoutMs > 0 && Number.isFinite(this.timeoutMs))) {
      throw new Error(`source validation timeout must be > 0 ms (got ${this.timeoutMs})`);
    }
    this.warn = options.warn ?? ((message) => console.warn(message));
  }

  async validate(
    input: InputDraft,
    context: SourceValidationContext,
  ): Promise<SourceValidationResult> {
    const c = input.configuration;
    if (input.type !== AloomaInputType.ODBC || !POSTGRES_DB_TYPES.includes(String(c.db_type)))
      return OK;
    if (context.previous && !sourceChanged(context.previous.configuration, c)) return OK;

    const tables = parseTables(c.tables);
    for (const [table, indicator] of tables) {
      const problem = indicatorProblem(indicator);
      if (problem) {
        return failure(
          `Source validation failed for table '${table}': the update indicator must be one SQL ` +
            `expression, without ${problem}`,
          `configuration.tables.${table}`,
        );
      }
    }
    if (c.ssh !== undefined && c.ssh !== null && c.ssh !== '') {
      this.note(
        `ssh:${input.name}`,
        `source validation skipped for input '${input.name}': it connects through an SSH tunnel, ` +
          'which the emulator does not open',
      );
      return OK;
    }

    const server = String(c.server);
    const port = Number(c.port);
    const where = `${server}:${port}`;
    const resolved = await this.resolve(server);
    if (resolved !== true) {
      if (this.mode === 'strict') {
        return failure(
          `Source validation failed: cannot resolve the host name '${server}' (${resolved})`,
          'configuration.server',
        );
      }
      this.note(
        `host:${server}`,
        `source validation skipped for input '${input.name}': host '${server}' does not resolve ` +
          `here (${resolved}); start the emulator with --source-validation strict to refuse such inputs`,
      );
      return OK;
    }

    const password = String(c.password);
    const allowCleartext =
      c.allow_cleartext_password === true || c.allow_cleartext_password === 'true';
    const settings: ClientConfig = {
      host: server,
      port,
      database: String(c.database),
      user: String(c.user),
      password,
      connectionTimeoutMillis: this.timeoutMs,
      // A backstop behind the server-side statement_timeout (e.g. a server that stops answering).
      query_timeout: this.timeoutMs * 2,
      application_name: 'alooma-emulator source validation',
    };
    // sslmode=prefer: TLS first; a server that answers the SSLRequest with 'N' gets a plain connection.
    let client = new GuardedClient({ ...settings, ssl: PREFER_TLS }, allowCleartext);
    // An error after connecting (server restart, network drop) must not crash the emulator.
    client.on('error', () => undefined);
    try {
      try {
        await client.connect();
      } catch (err) {
        if (!isNoTlsAnswer(err))
          return redacted(connectFailure(err, where, String(c.user), this.timeoutMs), password);
        await closeQuietly(client);
        client = new GuardedClient({ ...settings, ssl: false }, allowCleartext);
        client.on('error', () => undefined);
        try {
          await client.connect();
        } catch (plainErr) {
          return redacted(
            connectFailure(plainErr, where, String(c.user), this.timeoutMs),
            password,
          );
        }
      }
      return redacted(await this.checkTables(client, c, tables), password);
    } finally {
      await closeQuietly(client);
    }
  }

  private async checkTables(
    client: Client,
    c: Record<string, unknown>,
    tables: readonly (readonly [string, string])[],
  ): Promise<SourceValidationResult> {
    const schema = typeof c.schema === 'string' && c.schema.trim() !== '' ? c.schema : undefined;
    await client.query('BEGIN READ ONLY');
    try {
      // Integers only, from our own options: nothing of the request is spliced here.
      await client.query(`SET LOCAL statement_timeout = ${Math.ceil(this.timeoutMs)}`);
      await client.query(`SET LOCAL lock_timeout = ${Math.ceil(this.timeoutMs)}`);
      if (schema !== undefined) {
        const found = await client.query(
          'SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1',
          [schema],
        );
        if (found.rowCount === 0) {
          return failure(
            `Source validation failed: schema "${schema}" does not exist in database "${String(c.database)}"`,
            'configuration.schema',
          );
        }
      }
      for (const [table, indicator] of tables) {
        const statement: QueryConfig & { queryMode: 'extended' } = {
          text: `SELECT (${indicator}) AS update_indicator FROM ${qualifiedTable(table, schema)} LIMIT 0`,
          queryMode: 'extended',
        };
        try {
          await client.query(statement);
        } catch (err) {
          if (!(err instanceof DatabaseError)) throw err;
          return failure(
            `Source validation failed for table '${table}': ${err.message}`,
            `configuration.tables.${table}`,
          );
        }
      }
      return OK;
    } catch (err) {
      return failure(`Source validation failed: ${errorMessage(err)}`, 'configuration');
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
    }
  }

  /** `true`, or why the name does not resolve. */
  private async resolve(host: string): Promise<true | string> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`no DNS answer within ${this.timeoutMs} ms`),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([
        lookup(host).then(
          () => true as const,
          (err: NodeJS.ErrnoException) => {
            if (err.code && UNRESOLVED_CODES.has(err.code)) return err.code;
            return errorMessage(err);
          },
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private note(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(message);
  }
}

/**
 * TLS as libpq's `sslmode=prefer`: encrypted when the server offers it, the
 * certificate NOT verified. Verifying would refuse the self-signed
 * certificates most PostgreSQL servers run with, and the emulator has no CA
 * list per input to verify against; what unverified TLS gives is protection
 * from passive listeners, not from an active man in the middle (SCRAM, the
 * default login since PostgreSQL 14, never sends the password either way).
 */
const PREFER_TLS = { rejectUnauthorized: false } as const;

/** pg's error when the server answers the SSLRequest with 'N' (no TLS). */
function isNoTlsAnswer(err: unknown): boolean {
  return err instanceof Error && err.message === 'The server does not support SSL connections';
}

/** The error of a login refused before the password was sent in clear. */
export class CleartextPasswordRefused extends Error {
  readonly code = 'cleartext_password_refused';
}

/**
 * A pg client that never answers AuthenticationCleartextPassword on a
 * connection without TLS, unless the input sets `allow_cleartext_password`:
 * the connection fails before the password leaves the emulator. MD5 and
 * SCRAM logins, and cleartext over TLS, go through as usual.
 */
class GuardedClient extends Client {
  constructor(
    config: ClientConfig,
    private readonly allowCleartext: boolean,
  ) {
    super(config);
  }

  /** Overrides pg's handler of the server's cleartext password request (pg 8, lib/client.js). */
  _handleAuthCleartextPassword(message: unknown): void {
    const connection = (this as unknown as { connection: PgConnection }).connection;
    const encrypted =
      (connection.stream as { encrypted?: boolean } | undefined)?.encrypted === true;
    if (!encrypted && !this.allowCleartext) {
      connection.emit(
        'error',
        new CleartextPasswordRefused(
          'the server asked for the password in clear on a connection without TLS; it was not sent ' +
            '(enable TLS on the server, use scram-sha-256, or set allow_cleartext_password: true on the input)',
        ),
      );
      return;
    }
    (
      Client.prototype as unknown as { _handleAuthCleartextPassword(m: unknown): void }
    )._handleAuthCleartextPassword.call(this, message);
  }
}

/** The part of pg's internal Connection the guard uses. */
interface PgConnection {
  readonly stream?: unknown;
  emit(event: 'error', error: Error): boolean;
}

const OK: SourceValidationResult = { ok: true };

function failure(message: string, field: string): SourceValidationResult {
  return { ok: false, message, field };
}

/** Whether an edit touches what validation sees (compared with the stored configuration). */
function sourceChanged(before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  // An edit that changes none of the source fields (batch_size, run_at, a rename) is not validated again.
  return ODBC_SOURCE_FIELDS.some(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
}

/** The `tables` JSON string as [table, indicator] pairs (structural validation checked its shape). */
function parseTables(tables: unknown): (readonly [string, string])[] {
  const parsed: unknown = typeof tables === 'string' ? JSON.parse(tables) : tables;
  if (!isPlainObject(parsed)) return [];
  return Object.entries(parsed).map(([table, indicator]) => [table, String(indicator)] as const);
}

/** What makes an indicator unsafe to run, or undefined. */
function indicatorProblem(indicator: string): string | undefined {
  return FORBIDDEN_IN_INDICATOR.find(([token]) => indicator.includes(token))?.[1];
}

/**
 * `"schema"."table"`: a name with a dot is `schema.table` (split at the
 * first dot); one without takes the input's schema, or the search path.
 */
function qualifiedTable(table: string, schema: string | undefined): string {
  const dot = table.indexOf('.');
  if (dot > 0 && dot < table.length - 1) {
    return `${escapeIdentifier(table.slice(0, dot))}.${escapeIdentifier(table.slice(dot + 1))}`;
  }
  return schema === undefined
    ? escapeIdentifier(table)
    : `${escapeIdentifier(schema)}.${escapeIdentifier(table)}`;
}

/** The 400 of a failed connect or login, naming the field most likely at fault. */
function connectFailure(
  err: unknown,
  where: string,
  user: string,
  timeoutMs: number,
): SourceValidationResult {
  if (err instanceof DatabaseError) {
    switch (err.code) {
      case '28P01': // invalid_password (also sent for an unknown user, by design)
        return failure(
          `Source validation failed: PostgreSQL at ${where} refused the login of user "${user}": ${err.message}`,
          'configuration.password',
        );
      case '28000': // invalid_authorization_specification: no pg_hba.conf entry, role cannot log in
        return failure(
          `Source validation failed: PostgreSQL at ${where} refused the login of user "${user}": ${err.message}`,
          'configuration.user',
        );
      case '3D000': // invalid_catalog_name
        return failure(`Source validation failed: ${err.message}`, 'configuration.database');
      default:
        return failure(
          `Source validation failed: PostgreSQL at ${where} refused the connection: ${err.message}`,
          'configuration',
        );
    }
  }
  if (err instanceof CleartextPasswordRefused) {
    return failure(
      `Source validation failed: PostgreSQL at ${where} refused: ${err.message}`,
      'configuration.allow_cleartext_password',
    );
  }
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = errorMessage(err);
  if (/timeout/i.test(reason)) {
    return failure(
      `Source validation failed: cannot connect to PostgreSQL at ${where}: no answer within ${timeoutMs} ms`,
      'configuration.server',
    );
  }
  return failure(
    `Source validation failed: cannot connect to PostgreSQL at ${where}: ${reason}`,
    code === 'ECONNREFUSED' ? 'configuration.port' : 'configuration.server',
  );
}

/**
 * Removes the password from a failure message. Servers do not echo
 * passwords, but a message is built from text we do not control; very short
 * passwords are left alone, as replacing them would garble the message.
 */
function redacted(result: SourceValidationResult, password: string): SourceValidationResult {
  if (result.ok || password.length < 4 || !result.message.includes(password)) return result;
  return { ...result, message: result.message.split(password).join('***') };
}

async function closeQuietly(client: Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), 1000);
  });
  try {
    const outcome = await Promise.race([client.end().catch(() => undefined), gaveUp]);
    // A server that never acknowledges the goodbye: drop the socket ourselves.
    if (outcome === 'timeout') {
      (
        client as unknown as { connection?: { stream?: { destroy(): void } } }
      ).connection?.stream?.destroy();
    }
  } finally {
    clearTimeout(timer);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
