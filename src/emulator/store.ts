/**
 * Persistent state of the emulator: one SQLite database, `<dataDir>/alooma.db`
 * (schema, pragmas and migrations in `store-schema.ts`; queries here).
 *
 * better-sqlite3 is synchronous, so every read-modify-write below runs inside
 * one `BEGIN IMMEDIATE` transaction: within this process nothing interleaves
 * with it, and other processes sharing the file wait (busy_timeout) instead of
 * interleaving. That is what makes concurrent writers lose no update, and,
 * under `uniqueInputNames`, never create duplicate names (the check runs
 * inside the transaction; the service itself had no such rule).
 *
 * The one thing held in memory is the rendered structure (`GET plumbing`) as
 * UTF-8 bytes per account, keyed by SQLite's change counters so that any
 * commit, by this connection or another process, invalidates it (see
 * {@link AloomaStore.structureBuffer}). The database stays the only source
 * of truth, so several emulators may share one data dir.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type Database from 'better-sqlite3';
import { digest, hashPassword, newSessionToken } from './auth';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  nameInUseError,
} from './errors';
import {
  NodeCategory,
  NodeRecord,
  NodeState,
  isProtectedNode,
  pythonTimestamp,
  renderPublicNode,
} from './nodes';
import { isPlainObject } from '../alooma/json';
import { SystemInputType } from '../alooma/input-types';
import { configurationChanges, FieldChange, HistoryAction, HistoryEntry } from './history';
import { ACCOUNT_NAME_RULE, isAccountName } from '../alooma/names';
import { readSecretAtPath } from './secret-merge';
import { NodeRow, openDatabase } from './store-schema';

/** File name of the database inside the data directory. */
export const DATABASE_FILE = 'alooma.db';

/** Sleep time reported for an input whose sleep time was never set, in seconds. */
export const DEFAULT_INPUT_SLEEP_TIME_S = 0;

/** An account with one user and one API key. */
export interface AccountSpec {
  /** Account name, as in `/<account>/rest/` and `config_clientName`. */
  readonly account: string;
  readonly email: string;
  readonly password: string;
  readonly apiKey: string;
}

/** A new input, validated by the caller. */
export interface NewInput {
  readonly name: string;
  readonly type: string;
  readonly configuration: Record<string, unknown>;
  /** Whether the source was validated (false for `?validate=false`). */
  readonly validated: boolean;
  /** Epoch ms from which the node appears in the structure (async creation). */
  readonly visibleAt: number;
}

/** New name/configuration of an input, computed from its current record. */
export interface InputEdit {
  readonly name: string;
  readonly configuration: Record<string, unknown>;
  readonly validated: boolean;
}

/** What a session token resolves to. */
export type SessionLookup =
  | { readonly status: 'valid'; readonly account: string; readonly email: string }
  | { readonly status: 'expired' }
  | { readonly status: 'unknown' };

/** Who the history names for writes made by the emulator itself (seeding). */
export const SYSTEM_ACTOR = 'emulator';

/** The emulator's database. Open with {@link AloomaStore.open}; one instance per process. */
export class AloomaStore {
  private readonly statements: ReturnType<typeof prepareStatements>;
  /** Per account: the last {@link structureBuffer}, its change-counter key and its expiry (epoch ms). */
  private readonly structureCache = new Map<
    string,
    { version: string; buffer: Buffer; validUntil: number }
  >();

  private constructor(
    private readonly db: Database.Database,
    /** Absolute path of the database file. */
    readonly file: string,
    /**
     * Refuse a create or rename to a name a live input of the account has (409),
     * for local work; the service itself accepted duplicates.
     */
    private readonly uniqueInputNames: boolean,
  ) {
    this.statements = prepareStatements(db);
  }

  /**
   * Opens (creating when needed) `<dataDir>/alooma.db`, migrates it (see
   * `store-schema.ts`), and seeds `seedAccount` with its system nodes if
   * that account does not exist. The database holds secrets in clear: it is
   * made readable by its owner only (see {@link restrictDataDir}).
   */
  static async open(
    dataDir: string,
    seedAccount?: AccountSpec,
    options: { readonly uniqueInputNames?: boolean } = {},
  ): Promise<AloomaStore> {
    const dir = path.resolve(dataDir);
    const file = path.join(dir, DATABASE_FILE);
    await restrictDataDir(dir, file);
    const db = openDatabase(file);
    try {
      const store = new AloomaStore(db, file, options.uniqueInputNames ?? false);
      if (seedAccount) await store.createAccount(seedAccount, { ifMissing: true });
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /**
   * Closes the database; the last connection to close checkpoints the WAL and
   * removes it. The store is unusable afterwards.
   */
  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- accounts and credentials ----

  /**
   * Creates an account with its user, API key and the system nodes a real
   * account has (a transformer, the Restream input, an output).
   * @returns false when `ifMissing` and the account already exists.
   * @throws ConflictError when the account, e-mail or API key is taken.
   */
  async createAccount(spec: AccountSpec, options: { ifMissing?: boolean } = {}): Promise<boolean> {
    validateAccountSpec(spec);
    if (options.ifMissing && this.accountExists(spec.account)) return false;
    // Hash outside the transaction: scrypt is slow and asynchronous.
    const passwordHash = await hashPassword(spec.password);
    const s = this.statements;
    return this.db
      .transaction(() => {
        if (s.accountExists.get(spec.account)) {
          if (options.ifMissing) return false;
          throw new ConflictError(`Account '${spec.account}' already exists`, 'account');
        }
        if (s.userByEmail.get(spec.email))
          throw new ConflictError(`User '${spec.email}' already exists`, 'email');
        if (s.apiKeyAccount.get(digest(spec.apiKey)))
          throw new ConflictError('API key already in use', 'apiKey');
        const now = pythonTimestamp(new Date());
        s.insertAccount.run(spec.account, now);
        s.insertUser.run(spec.email, spec.account, passwordHash);
        s.insertApiKey.run(digest(spec.apiKey), spec.account, now);
        for (const node of systemNodes(spec.account, now)) this.insertNode(node, 0);
        return true;
      })
      .immediate();
  }

  /** True when the account exists. */
  accountExists(account: string): boolean {
    return this.statements.accountExists.get(account) !== undefined;
  }

  /** The user with that e-mail (case-insensitive), for login. */
  findUser(email: string): { account: string; passwordHash: string } | undefined {
    const row = this.statements.userByEmail.get(email) as
      { account: string; password_hash: string } | undefined;
    return row && { account: row.account, passwordHash: row.password_hash };
  }

  /** The account an API key belongs to. */
  apiKeyAccount(apiKey: string): string | undefined {
    return this.statements.apiKeyAccount.get(digest(apiKey)) as string | undefined;
  }

  /** Starts a session of `ttlS` seconds; returns its token (only the digest is stored). */
  createSession(account: string, email: string, ttlS: number, now = Date.now()): string {
    const token = newSessionToken();
    const s = this.statements;
    this.db
      .transaction(() => {
        s.deleteExpiredSessions.run(now);
        s.insertSession.run(digest(token), account, email, now + ttlS * 1000);
      })
      .immediate();
    return token;
  }

  /** Resolves a session token. Expired sessions are reported as such, so clients know to log in again. */
  findSession(token: string, now = Date.now()): SessionLookup {
    const row = this.statements.sessionByDigest.get(digest(token)) as
      { account: string; email: string; expires_at: number } | undefined;
    if (!row) return { status: 'unknown' };
    return row.expires_at > now
      ? { status: 'valid', account: row.account, email: row.email }
      : { status: 'expired' };
  }

  /** Ends a session (logout). */
  deleteSession(token: string): void {
    this.statements.deleteSession.run(digest(token));
  }

  // ---- reads (JSON text or bytes with secrets masked; findNode alone returns real secrets) ----

  /** `{"nodes": [...]}`: every live, visible node of the account. */
  structureJson(account: string, now = Date.now()): string {
    const nodes = this.statements.structure.all(account, now) as string[];
    return `{"nodes":[${nodes.join(',')}]}`;
  }

  /**
   * {@link structureJson} as UTF-8 bytes, kept per account while nothing
   * changed: the structure is read far more often than written, and
   * building and encoding a >128 KiB string on every read was most of the
   * emulator's time. Never stale, even with several processes on one data
   * directory: the entry is keyed by this connection's change count
   * (`total_changes()`), SQLite's `data_version` (which moves when another
   * connection commits), and expires when the next pending (async-created)
   * node becomes visible.
   */
  structureBuffer(account: string, now = Date.now()): Buffer {
    const version = `${this.db.pragma('data_version', { simple: true })}:${this.statements.totalChanges.get()}`;
    const cached = this.structureCache.get(account);
    if (cached && cached.version === version && now < cached.validUntil) return cached.buffer;
    const buffer = Buffer.from(this.structureJson(account, now), 'utf8');
    const nextVisible = this.statements.nextVisible.get(account, now) as number | null;
    this.structureCache.set(account, { version, buffer, validUntil: nextVisible ?? Infinity });
    return buffer;
  }

  /** `{"<id>": node, ...}`: every live, visible input of the account. */
  inputsJson(account: string, now = Date.now()): string {
    const rows = this.statements.inputs.all(account, now) as { id: string; public_json: string }[];
    return `{${rows.map((r) => `${JSON.stringify(r.id)}:${r.public_json}`).join(',')}}`;
  }

  /** One live, visible input of the account, or undefined. */
  inputJson(account: string, id: string, now = Date.now()): string | undefined {
    return this.statements.inputJson.get(id, account, now) as string | undefined;
  }

  /** One live, visible node of the account, or undefined. */
  nodeJson(account: string, id: string, now = Date.now()): string | undefined {
    return this.statements.nodeJson.get(id, account, now) as string | undefined;
  }

  /** One live, visible node with its real secrets (for the server's edit path), or undefined. */
  findNode(account: string, id: string, now = Date.now()): NodeRecord | undefined {
    const row = this.statements.nodeById.get(id, account, now) as NodeRow | undefined;
    return row && toRecord(row);
  }

  // ---- writes ----

  /**
   * Creates an input. The name is checked and the row written in one
   * transaction, so of concurrent creates of one name exactly one succeeds.
   * @throws ConflictError when a live node of the account has that name.
   */
  createInput(account: string, input: NewInput, actor = SYSTEM_ACTOR): NodeRecord {
    return this.db
      .transaction(() => {
        this.assertNameFree(account, input.name, undefined);
        const record: NodeRecord = {
          id: randomUUID(),
          account,
          name: input.name,
          type: input.type,
          category: NodeCategory.INPUT,
          configuration: input.configuration,
          paused: false,
          deleted: false,
          state: NodeState.LIVE,
          validated: input.validated,
          createdAt: pythonTimestamp(new Date()),
        };
        this.insertNode(record, input.visibleAt);
        this.record(record, 'create', actor, configurationChanges({}, record.configuration));
        return record;
      })
      .immediate();
  }

  /**
   * Edits an input: reads the current record, lets `edit` compute the new
   * name and configuration from it (restoring masked secrets, validating),
   * and writes, all in one transaction, so no concurrent write is lost.
   * @throws NotFoundError, ForbiddenError (system input), ConflictError (name taken), or what `edit` throws.
   */
  updateInput(
    account: string,
    id: string,
    edit: (current: NodeRecord) => InputEdit,
    now = Date.now(),
    actor = SYSTEM_ACTOR,
  ): NodeRecord {
    return this.db
      .transaction(() => {
        const current = this.editableInput(account, id, now);
        const change = edit(current);
        if (change.name !== current.name) this.assertNameFree(account, change.name, id);
        const updated: NodeRecord = { ...current, ...change };
        this.saveNode(updated);
        const changes = configurationChanges(current.configuration, updated.configuration);
        if (updated.name !== current.name)
          changes.unshift({
            field: 'name',
            from: JSON.stringify(current.name),
            to: JSON.stringify(updated.name),
          });
        this.record(updated, 'update', actor, changes, now);
        return updated;
      })
      .immediate();
  }

  /** Pauses or resumes an input. @throws NotFoundError, ForbiddenError (system input). */
  setPaused(
    account: string,
    id: string,
    paused: boolean,
    now = Date.now(),
    actor = SYSTEM_ACTOR,
  ): NodeRecord {
    return this.db
      .transaction(() => {
        const current = this.editableInput(account, id, now);
        const updated: NodeRecord = {
          ...current,
          paused,
          state: paused ? NodeState.PAUSED : NodeState.LIVE,
        };
        this.saveNode(updated);
        if (current.paused !== paused)
          this.record(updated, paused ? 'pause' : 'resume', actor, [], now);
        return updated;
      })
      .immediate();
  }

  /**
   * Deletes a node: it is kept, marked deleted, and its name becomes free.
   * @throws NotFoundError, ForbiddenError (system inputs, transformer, outputs).
   */
  removeNode(account: string, id: string, now = Date.now(), actor = SYSTEM_ACTOR): void {
    this.db
      .transaction(() => {
        const row = this.statements.nodeById.get(id, account, now) as NodeRow | undefined;
        if (!row) throw new NotFoundError(`No node with id ${id}`);
        const current = toRecord(row);
        if (isProtectedNode(current)) {
          throw new ForbiddenError(
            `${current.type} node '${current.name}' is managed by Alooma and cannot be deleted`,
          );
        }
        this.saveNode({ ...current, deleted: true }, pythonTimestamp(new Date(now)));
        this.statements.deleteSleepTime.run(id);
        if (current.category === NodeCategory.INPUT) this.record(current, 'delete', actor, [], now);
      })
      .immediate();
  }

  /** Sleep time of an input in seconds. @throws NotFoundError */
  getSleepTime(account: string, id: string, now = Date.now()): number {
    this.input(account, id, now);
    const seconds = this.statements.sleepTime.get(id) as number | undefined;
    return seconds ?? DEFAULT_INPUT_SLEEP_TIME_S;
  }

  /** Sets the sleep time of an input. @throws NotFoundError, ForbiddenError (system input). */
  setSleepTime(account: string, id: string, seconds: number, now = Date.now()): void {
    this.db
      .transaction(() => {
        this.editableInput(account, id, now);
        this.statements.upsertSleepTime.run(id, seconds);
      })
      .immediate();
  }

  /** Keys of the account's secrets, sorted. */
  accountSecretKeys(account: string): string[] {
    return this.statements.secretKeys.all(account) as string[];
  }

  /** Adds or replaces account secrets (merge; other keys are kept). */
  putAccountSecrets(account: string, entries: Record<string, string>): void {
    this.db
      .transaction(() => {
        for (const [key, value] of Object.entries(entries))
          this.statements.upsertSecret.run(account, key, value);
      })
      .immediate();
  }

  /** Deletes one account secret. @returns false when there was none. */
  deleteAccountSecret(account: string, key: string): boolean {
    return this.statements.deleteSecret.run(account, key).changes > 0;
  }

  /**
   * Loads inputs (e.g. `reference/sample-inputs.json`) as stored data,
   * without validation: samples hold placeholders where secrets were. Inputs
   * whose name is taken are skipped; ids are kept when free.
   * @returns how many inputs were added.
   */
  importInputs(account: string, nodes: readonly unknown[]): number {
    return this.db
      .transaction(() => {
        let added = 0;
        const now = pythonTimestamp(new Date());
        for (const node of nodes) {
          if (
            !isPlainObject(node) ||
            typeof node.name !== 'string' ||
            typeof node.type !== 'string'
          )
            continue;
          if ((node.category ?? NodeCategory.INPUT) !== NodeCategory.INPUT) continue;
          if (this.statements.nameTaken.get(account, node.name)) continue;
          const id =
            typeof node.id === 'string' && !this.statements.idExists.get(node.id)
              ? node.id
              : randomUUID();
          const paused = node.paused === true;
          this.insertNode(
            {
              id,
              account,
              name: node.name,
              type: node.type,
              category: NodeCategory.INPUT,
              configuration: isPlainObject(node.configuration) ? node.configuration : {},
              paused,
              deleted: false,
              state: paused ? NodeState.PAUSED : NodeState.LIVE,
              validated: node.validated !== false,
              createdAt: typeof node.created_at === 'string' ? node.created_at : now,
            },
            0,
          );
          added++;
        }
        return added;
      })
      .immediate();
  }

  // ---- for the control API only: compares without ever returning the secret ----

  /** The stored (unmasked) value at a secret path of a node, e.g. `password` or `parameters.session_id.value`. */
  readNodeSecret(id: string, secretPath: string): unknown {
    const configuration = this.statements.configurationById.get(id) as string | undefined;
    if (configuration === undefined) throw new NotFoundError(`No node with id ${id}`);
    return readSecretAtPath(JSON.parse(configuration), secretPath);
  }

  /** The stored value of an account secret. */
  readAccountSecret(account: string, key: string): string | undefined {
    return this.statements.secretValue.get(account, key) as string | undefined;
  }

  // ---- internals ----

  private input(account: string, id: string, now: number): NodeRecord {
    const row = this.statements.nodeById.get(id, account, now) as NodeRow | undefined;
    if (!row || row.category !== NodeCategory.INPUT)
      throw new NotFoundError(`No input with id ${id}`);
    return toRecord(row);
  }

  private editableInput(account: string, id: string, now: number): NodeRecord {
    const record = this.input(account, id, now);
    if (isProtectedNode(record)) {
      throw new ForbiddenError(
        `${record.type} input '${record.name}' is managed by Alooma and cannot be modified`,
      );
    }
    return record;
  }

  /** The history of the account's inputs, newest first; one input's when `nodeId` is given. */
  history(account: string, nodeId?: string, limit = 500): HistoryEntry[] {
    const rows = (
      nodeId === undefined
        ? this.statements.historyOfAccount.all(account, limit)
        : this.statements.historyOfNode.all(account, nodeId, limit)
    ) as Array<{
      id: number;
      node_id: string;
      node_name: string;
      action: HistoryAction;
      at: string;
      actor: string;
      changes: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      inputId: r.node_id,
      inputName: r.node_name,
      action: r.action,
      at: r.at,
      actor: r.actor,
      changes: JSON.parse(r.changes) as FieldChange[],
    }));
  }

  /** Records a write in the history (inside the write's transaction). */
  private record(
    node: NodeRecord,
    action: HistoryAction,
    actor: string,
    changes: readonly FieldChange[],
    now = Date.now(),
  ): void {
    this.statements.insertHistory.run(
      node.account,
      node.id,
      node.name,
      action,
      new Date(now).toISOString(),
      actor,
      JSON.stringify(changes),
    );
  }

  /**
   * Under `uniqueInputNames`, throws 409 when a live node of the account (visible
   * or still being created) other than `exceptId` has that name.
   */
  assertNameFree(account: string, name: string, exceptId?: string): void {
    if (!this.uniqueInputNames) return;
    const holder = this.statements.nameTaken.get(account, name) as string | undefined;
    if (holder !== undefined && holder !== exceptId) {
      throw nameInUseError(name);
    }
  }

  private insertNode(record: NodeRecord, visibleAt: number): void {
    this.statements.insertNode.run({ ...nodeParams(record), visible_at: visibleAt });
  }

  private saveNode(record: NodeRecord, deletedAt: string | null = null): void {
    this.statements.updateNode.run({ ...nodeParams(record), deleted_at: deletedAt });
  }
}

function prepareStatements(db: Database.Database) {
  const live = 'deleted = 0 AND visible_at <= ?';
  return {
    accountExists: db.prepare('SELECT 1 FROM accounts WHERE name = ?').pluck(),
    insertAccount: db.prepare('INSERT INTO accounts (name, created_at) VALUES (?, ?)'),
    userByEmail: db.prepare('SELECT account, password_hash FROM users WHERE email = ?'),
    insertUser: db.prepare('INSERT INTO users (email, account, password_hash) VALUES (?, ?, ?)'),
    apiKeyAccount: db.prepare('SELECT account FROM api_keys WHERE key_digest = ?').pluck(),
    insertApiKey: db.prepare(
      'INSERT INTO api_keys (key_digest, account, created_at) VALUES (?, ?, ?)',
    ),
    insertSession: db.prepare(
      'INSERT INTO sessions (token_digest, account, email, expires_at) VALUES (?, ?, ?, ?)',
    ),
    sessionByDigest: db.prepare(
      'SELECT account, email, expires_at FROM sessions WHERE token_digest = ?',
    ),
    insertHistory: db.prepare(
      'INSERT INTO input_history (account, node_id, node_name, action, at, actor, changes) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    historyOfAccount: db.prepare(
      'SELECT * FROM input_history WHERE account = ? ORDER BY id DESC LIMIT ?',
    ),
    historyOfNode: db.prepare(
      'SELECT * FROM input_history WHERE account = ? AND node_id = ? ORDER BY id DESC LIMIT ?',
    ),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_digest = ?'),
    deleteExpiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    structure: db
      .prepare(`SELECT public_json FROM nodes WHERE account = ? AND ${live} ORDER BY rowid`)
      .pluck(),
    totalChanges: db.prepare('SELECT total_changes()').pluck(),
    nextVisible: db
      .prepare(
        'SELECT min(visible_at) FROM nodes WHERE account = ? AND deleted = 0 AND visible_at > ?',
      )
      .pluck(),
    inputs: db.prepare(
      `SELECT id, public_json FROM nodes WHERE account = ? AND category = 'INPUT' AND ${live} ORDER BY rowid`,
    ),
    nodeJson: db
      .prepare(`SELECT public_json FROM nodes WHERE id = ? AND account = ? AND ${live}`)
      .pluck(),
    inputJson: db
      .prepare(
        `SELECT public_json FROM nodes WHERE id = ? AND account = ? AND category = 'INPUT' AND ${live}`,
      )
      .pluck(),
    nodeById: db.prepare(`SELECT * FROM nodes WHERE id = ? AND account = ? AND ${live}`),
    nameTaken: db
      .prepare('SELECT id FROM nodes WHERE account = ? AND name = ? AND deleted = 0')
      .pluck(),
    idExists: db.prepare('SELECT 1 FROM nodes WHERE id = ?').pluck(),
    configurationById: db.prepare('SELECT configuration FROM nodes WHERE id = ?').pluck(),
    insertNode: db.prepare(`
      INSERT INTO nodes (id, account, name, type, category, configuration, paused, deleted, state,
                         validated, created_at, visible_at, public_json)
      VALUES (@id, @account, @name, @type, @category, @configuration, @paused, @deleted, @state,
              @validated, @created_at, @visible_at, @public_json)`),
    updateNode: db.prepare(`
      UPDATE nodes SET name = @name, configuration = @configuration, paused = @paused, deleted = @deleted,
                       state = @state, validated = @validated, deleted_at = @deleted_at,
                       public_json = @public_json
      WHERE id = @id AND account = @account`),
    sleepTime: db.prepare('SELECT seconds FROM input_sleep_times WHERE node_id = ?').pluck(),
    upsertSleepTime: db.prepare(
      'INSERT INTO input_sleep_times (node_id, seconds) VALUES (?, ?) ON CONFLICT(node_id) DO UPDATE SET seconds = excluded.seconds',
    ),
    deleteSleepTime: db.prepare('DELETE FROM input_sleep_times WHERE node_id = ?'),
    secretKeys: db
      .prepare('SELECT key FROM account_secrets WHERE account = ? ORDER BY key')
      .pluck(),
    secretValue: db
      .prepare('SELECT value FROM account_secrets WHERE account = ? AND key = ?')
      .pluck(),
    upsertSecret: db.prepare(
      'INSERT INTO account_secrets (account, key, value) VALUES (?, ?, ?) ON CONFLICT(account, key) DO UPDATE SET value = excluded.value',
    ),
    deleteSecret: db.prepare('DELETE FROM account_secrets WHERE account = ? AND key = ?'),
  };
}

function nodeParams(record: NodeRecord) {
  return {
    id: record.id,
    account: record.account,
    name: record.name,
    type: record.type,
    category: record.category,
    configuration: JSON.stringify(record.configuration),
    paused: record.paused ? 1 : 0,
    deleted: record.deleted ? 1 : 0,
    state: record.state,
    validated: record.validated ? 1 : 0,
    created_at: record.createdAt,
    public_json: renderPublicNode(record),
  };
}

function toRecord(row: NodeRow): NodeRecord {
  return {
    id: row.id,
    account: row.account,
    name: row.name,
    type: row.type,
    category: row.category,
    configuration: JSON.parse(row.configuration) as Record<string, unknown>,
    paused: row.paused === 1,
    deleted: row.deleted === 1,
    state: row.state,
    validated: row.validated === 1,
    createdAt: row.created_at,
  };
}

/** The nodes every Alooma account has: the Code Engine, the Restream input and an output. */
function systemNodes(account: string, createdAt: string): NodeRecord[] {
  const base = {
    account,
    paused: false,
    deleted: false,
    state: NodeState.LIVE,
    validated: true,
    createdAt,
  };
  return [
    {
      ...base,
      id: randomUUID(),
      name: 'Code Engine',
      type: 'TRANSFORMER',
      category: NodeCategory.TRANSFORMER,
      configuration: {},
    },
    {
      ...base,
      id: randomUUID(),
      name: 'Restream',
      type: SystemInputType.RESTREAM,
      category: NodeCategory.INPUT,
      configuration: { auto_map: 'true' },
    },
    {
      ...base,
      id: randomUUID(),
      name: 'Snowflake',
      type: 'SNOWFLAKE',
      category: NodeCategory.OUTPUT,
      configuration: {
        hostname: `${account}.snowflakecomputing.com`,
        username: 'ALOOMA',
        // A real random secret, so the output shows masking too.
        password: randomBytes(12).toString('base64url'),
        database: 'ALOOMA',
        schema: 'PUBLIC',
        warehouse: 'ALOOMA_WH',
      },
    },
  ];
}

/** Files of the database: the file itself, its WAL and shared memory, a rollback journal. */
const DATABASE_FILE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * Owner-only access to the data: the directory is created 0700, the database
 * file 0600 before SQLite opens it (SQLite gives its WAL and shared-memory
 * files the database file's mode). Files an earlier version created with the
 * umask's modes (0755, 0644) are tightened too: the database files always,
 * and the directory when it holds nothing but them, so a `--data-dir` that
 * is a shared folder (`.`, `/tmp`) is never locked down under its users.
 */
async function restrictDataDir(dir: string, file: string): Promise<void> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const databaseFiles = DATABASE_FILE_SUFFIXES.map((suffix) => `${path.basename(file)}${suffix}`);
  const entries = await fs.promises.readdir(dir);
  if (entries.every((entry) => databaseFiles.includes(entry))) await fs.promises.chmod(dir, 0o700);
  // Create the file owner-only if missing; SQLite takes an empty file as a new database.
  await (await fs.promises.open(file, 'a', 0o600)).close();
  for (const name of databaseFiles) {
    try {
      await fs.promises.chmod(path.join(dir, name), 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

function validateAccountSpec(spec: AccountSpec): void {
  if (!isPlainObject(spec))
    throw new ValidationError('Account must be an object {account, email, password, apiKey}');
  if (!isAccountName(spec.account)) {
    throw new ValidationError(`Field 'account' must be ${ACCOUNT_NAME_RULE}`, 'account');
  }
  for (const key of ['email', 'password', 'apiKey'] as const) {
    if (typeof spec[key] !== 'string' || spec[key].trim() === '') {
      throw new ValidationError(`Field '${key}' is required (a non-empty string)`, key);
    }
  }
  if (/\s/.test(spec.apiKey))
    throw new ValidationError("Field 'apiKey' must not contain whitespace", 'apiKey');
}
