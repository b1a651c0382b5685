/**
 * Schema of the emulator's SQLite database and how a connection to it is
 * opened: pragmas, then migration to {@link SCHEMA_VERSION}. The queries live
 * in `store.ts`; this module is the one place that knows the tables exist.
 *
 * The version is SQLite's `user_version`, so a database written by a newer
 * emulator is refused instead of being misread.
 */
import Database from 'better-sqlite3';

/**
 * Version of the schema this emulator creates and reads. Bump it with a new
 * step in {@link migrate} when the schema changes.
 */
const SCHEMA_VERSION = 3;

/** A row of `nodes`, as SQLite returns it (booleans are 0/1, configuration is JSON text). */
export interface NodeRow {
  id: string;
  account: string;
  name: string;
  type: string;
  category: string;
  configuration: string;
  paused: number;
  deleted: number;
  state: string;
  validated: number;
  created_at: string;
}

/**
 * Opens (creating when missing) the database file and migrates it.
 * @throws when the file holds a newer schema than {@link SCHEMA_VERSION}; the connection is closed then.
 */
export function openDatabase(file: string): Database.Database {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // Other emulator processes may hold the write lock briefly; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    // In WAL mode NORMAL is crash-safe for the database; only the last commits may roll back on power loss.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Brings the schema to {@link SCHEMA_VERSION} in one `BEGIN IMMEDIATE`
 * transaction, so no emulator sharing the data directory sees half a schema.
 * Two emulators starting together may both read the old version and run the
 * step one after the other; `IF NOT EXISTS` makes the repeat harmless.
 */
function migrate(db: Database.Database): void {
  if (schemaVersion(db) === SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another emulator may have migrated meanwhile.
    const version = schemaVersion(db);
    if (version === SCHEMA_VERSION) return;
    if (version < 1) createSchemaV1(db);
    if (version < 2) {
      // The service accepted several inputs with one name (the official client
      // counts the nodes of a name to find its new one): no unique index. A plain
      // one keeps look-ups by name fast; --unique-input-names checks in the transaction.
      db.exec(`
        DROP INDEX IF EXISTS nodes_live_name;
        CREATE INDEX IF NOT EXISTS nodes_by_name ON nodes(account, name) WHERE deleted = 0;
      `);
    }
    if (version < 3) {
      // Every write to an input, for the console and GET history (history.ts).
      db.exec(`
        CREATE TABLE IF NOT EXISTS input_history (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          account TEXT NOT NULL,
          node_id TEXT NOT NULL,
          node_name TEXT NOT NULL,
          action TEXT NOT NULL,
          at TEXT NOT NULL,
          actor TEXT NOT NULL,
          changes TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS input_history_by_node ON input_history(account, node_id, id);
        CREATE INDEX IF NOT EXISTS input_history_by_account ON input_history(account, id);
      `);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** The database's schema version; refuses one newer than this emulator knows. */
function schemaVersion(db: Database.Database): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `${db.name} has schema version ${version}; this emulator knows up to ${SCHEMA_VERSION}`,
    );
  }
  return version;
}

/** Version 1: the tables. */
function createSchemaV1(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS accounts (
      name TEXT PRIMARY KEY,
      created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS users (
      email TEXT PRIMARY KEY COLLATE NOCASE,
      account TEXT NOT NULL REFERENCES accounts(name),
      password_hash TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS api_keys (
      key_digest TEXT PRIMARY KEY,
      account TEXT NOT NULL REFERENCES accounts(name),
      created_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sessions (
      token_digest TEXT PRIMARY KEY,
      account TEXT NOT NULL REFERENCES accounts(name),
      email TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);
    CREATE TABLE IF NOT EXISTS nodes (
      id TEXT PRIMARY KEY,
      account TEXT NOT NULL REFERENCES accounts(name),
      name TEXT NOT NULL,
      type TEXT NOT NULL,
      category TEXT NOT NULL,
      configuration TEXT NOT NULL,
      paused INTEGER NOT NULL DEFAULT 0,
      deleted INTEGER NOT NULL DEFAULT 0,
      state TEXT NOT NULL,
      validated INTEGER NOT NULL DEFAULT 1,
      created_at TEXT NOT NULL,
      visible_at INTEGER NOT NULL DEFAULT 0,
      deleted_at TEXT,
      public_json TEXT NOT NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS nodes_live_name ON nodes(account, name) WHERE deleted = 0;
    CREATE INDEX IF NOT EXISTS nodes_by_account ON nodes(account, deleted, visible_at);
    CREATE TABLE IF NOT EXISTS input_sleep_times (
      node_id TEXT PRIMARY KEY REFERENCES nodes(id),
      seconds REAL NOT NULL
    );
    CREATE TABLE IF NOT EXISTS account_secrets (
      account TEXT NOT NULL REFERENCES accounts(name),
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (account, key)
    );
  `);
}
