/**
 * A real PostgreSQL server for the source-validation tests.
 *
 * {@link startPostgres} uses the server named by `ALOOMA_TEST_PG_URL` (a
 * superuser's URL, e.g. `postgresql://admin:pw@127.0.0.1:5432/postgres`) when it is set, and
 * otherwise starts a throwaway cluster of its own: `initdb` in a temporary
 * directory, listening on 127.0.0.1 on a free port with scram-sha-256
 * password authentication, stopped and deleted by `stop()`. PostgreSQL
 * refuses to run as root, so under root (as in CI) the cluster runs as the
 * `postgres` system user (Debian's package creates it) or else `nobody`,
 * through `runuser`.
 *
 * PGHOST/PGPORT are deliberately not used: the tests create databases and
 * roles, so the server must be named on purpose.
 *
 * Nothing here skips: when PostgreSQL cannot be found or started, it throws
 * with the reason and what to do, and the tests fail.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, ClientConfig, escapeIdentifier, escapeLiteral } from 'pg';

/** Environment variable naming an existing server to use instead of a throwaway cluster. */
export const TEST_PG_URL_ENV = 'ALOOMA_TEST_PG_URL';

/** A running PostgreSQL server the tests may create databases and roles on. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** `external` for {@link TEST_PG_URL_ENV}, `throwaway` for a cluster this helper started. */
  readonly origin: 'external' | 'throwaway';
  /** `server_version` as the server reports it, e.g. `15.18 (Debian 15.18-0+deb12u1)`. */
  readonly version: string;
  /** A connected administrator client on `database` (default: the server's maintenance database). */
  connectAdmin(database?: string): Promise<Client>;
  /** A new database, owned by a new login role, with the fixture tables (see {@link SourceDatabase}). */
  createSourceDatabase(): Promise<SourceDatabase>;
  /** Drops what `createSourceDatabase` made; stops and deletes a throwaway cluster. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A source database as an ODBC input names it. The role owns the database
 * and (except `private_notes`) its tables, so it could drop them: the tests
 * that check nothing is dropped prove the emulator's safeguards, not missing
 * privileges.
 *
 * Tables: `public.orders (id, updated_at, total)` with rows,
 * `public.users (id, email, updated_at)`, `public."Line Items" (id, changed_at)`,
 * `sales.invoices (id, issued_at)`, and `public.private_notes (id, body)`
 * owned by the administrator, on which the role has no privilege.
 */
export interface SourceDatabase {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** ODBC input configuration for this database (db_type psql, schema public), with `tables` as given. */
  odbcConfiguration(tables: Record<string, string>): Record<string, unknown>;
  /** Whether `schema.table` exists, asked as the administrator. */
  tableExists(table: string, schema?: string): Promise<boolean>;
  /** Number of rows of `public.orders`. */
  orderCount(): Promise<number>;
}

/** PostgreSQL server programs found on this machine. */
export interface PostgresBinaries {
  /** Directory holding `initdb`, `pg_ctl` and `postgres`. */
  readonly dir: string;
  readonly initdb: string;
  readonly pgCtl: string;
  /** `postgres --version`, e.g. `postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`. */
  readonly version: string;
}

const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'] as const;

/**
 * Finds `initdb`, `pg_ctl` and `postgres` in one directory: on PATH first,
 * then Debian's `/usr/lib/postgresql/<version>/bin` (newest first), then
 * `/usr/local/pgsql/bin`. Throws naming every place looked at.
 */
export function findPostgresBinaries(): PostgresBinaries {
  const versioned = listDir('/usr/lib/postgresql')
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => `/usr/lib/postgresql/${v}/bin`);
  const candidates = [
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean),
    ...versioned,
    '/usr/local/pgsql/bin',
  ];
  for (const dir of candidates) {
    if (PROGRAMS.every((p) => isExecutable(path.join(dir, p)))) {
      const version = execFileSync(path.join(dir, 'postgres'), ['--version'], {
        encoding: 'utf8',
      }).trim();
      return {
        dir,
        initdb: path.join(dir, 'initdb'),
        pgCtl: path.join(dir, 'pg_ctl'),
        version,
      };
    }
  }
  throw new Error(
    `PostgreSQL server programs (${PROGRAMS.join(', ')}) not found together in any of: ` +
      `${[...new Set(candidates)].join(', ')}. Install them (Debian: apt-get install -y postgresql; ` +
      `.ci/run does it) or set ${TEST_PG_URL_ENV} to an administrator URL of a running server.`,
  );
}

/** Starts (or connects to) the server of the tests; see the module comment. */
export async function startPostgres(): Promise<PostgresServer> {
  const url = process.env[TEST_PG_URL_ENV];
  if (url) return externalServer(url);
  return throwawayCluster();
}

/** A TCP port on 127.0.0.1 that nothing listens on (at the time of the call). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: a
 * PostgreSQL client connecting to it waits until its connect timeout.
 */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------

interface AdminAccess {
  readonly host: string;
  readonly port: number;
  /** Administrator connection settings for a database. */
  config(database: string): ClientConfig;
  readonly maintenanceDatabase: string;
}

async function externalServer(url: string): Promise<PostgresServer> {
  const parsed = new URL(url);
  const access: AdminAccess = {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 5432),
    // A connection string wins over a `database` setting in pg: swap its path instead.
    config: (database) => {
      const withDatabase = new URL(url);
      withDatabase.pathname = `/${encodeURIComponent(database)}`;
      return { connectionString: withDatabase.toString() };
    },
    maintenanceDatabase: decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres',
  };
  try {
    return await serverFor(access, 'external', async () => undefined);
  } catch (err) {
    throw new Error(
      `cannot use the PostgreSQL server of ${TEST_PG_URL_ENV} (${redactUrl(url)}): ${message(err)}`,
      { cause: err },
    );
  }
}

async function throwawayCluster(): Promise<PostgresServer> {
  const bin = findPostgresBinaries();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-pg-'));
  const dataDir = path.join(base, 'data');
  const logFile = path.join(base, 'postgres.log');
  const passwordFile = path.join(base, 'admin-password');
  const adminUser = 'alooma_test_admin';
  const adminPassword = randomBytes(12).toString('hex');
  const runAs = clusterUser();
  const removeBase = () => fs.rmSync(base, { recursive: true, force: true });

  try {
    fs.writeFileSync(passwordFile, `${adminPassword}\n`, { mode: 0o600 });
    if (runAs) {
      fs.chmodSync(base, 0o700);
      for (const p of [base, passwordFile]) fs.chownSync(p, runAs.uid, runAs.gid);
    }
    run(bin, runAs, bin.initdb, [
      '--pgdata',
      dataDir,
      '--username',
      adminUser,
      `--pwfile=${passwordFile}`,
      '--auth-local=scram-sha-256',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
      '--no-sync',
    ]);
  } catch (err) {
    removeBase();
    throw err;
  }

  // Another process may take the free port before postgres binds it: retry.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const settings = [
      `-c port=${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${base}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=40',
    ].join(' ');
    try {
      run(bin, runAs, bin.pgCtl, [
        'start',
        '--pgdata',
        dataDir,
        '--log',
        logFile,
        '--wait',
        '--timeout=60',
        '--silent',
        '-o',
        settings,
      ]);
    } catch (err) {
      lastError = new Error(`${message(err)}\n--- ${logFile} ---\n${readTail(logFile)}`);
      continue;
    }
    const stopCluster = async () => {
      try {
        run(bin, runAs, bin.pgCtl, ['stop', '--pgdata', dataDir, '--mode=immediate', '--wait']);
      } finally {
        removeBase();
      }
    };
    const access: AdminAccess = {
      host: '127.0.0.1',
      port,
      config: (database) => ({
        host: '127.0.0.1',
        port,
        user: adminUser,
        password: adminPassword,
        database,
      }),
      maintenanceDatabase: 'postgres',
    };
    try {
      return await serverFor(access, 'throwaway', stopCluster);
    } catch (err) {
      await stopCluster();
      throw err;
    }
  }
  removeBase();
  throw new Error(`could not start PostgreSQL (${bin.version}, ${bin.dir}): ${message(lastError)}`);
}

async function serverFor(
  access: AdminAccess,
  origin: PostgresServer['origin'],
  shutdown: () => Promise<void>,
): Promise<PostgresServer> {
  const connectAdmin = async (database?: string) => {
    const client = new Client({
      ...access.config(database ?? access.maintenanceDatabase),
      connectionTimeoutMillis: 10_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  const probe = await connectAdmin();
  let version: string;
  try {
    version = (await probe.query<{ server_version: string }>('SHOW server_version')).rows[0]
      .server_version;
  } finally {
    await probe.end();
  }

  const created: { database: string; role: string }[] = [];
  let stopped: Promise<void> | undefined;
  return {
    host: access.host,
    port: access.port,
    origin,
    version,
    connectAdmin,
    createSourceDatabase: async () => {
      // Registered before anything is created, so a half-made fixture is dropped too.
      return createFixture(access, connectAdmin, (names) => created.push(names));
    },
    stop: () =>
      (stopped ??= (async () => {
        try {
          if (origin === 'external') await dropFixtures(connectAdmin, created);
        } finally {
          await shutdown();
        }
      })()),
  };
}

async function createFixture(
  access: AdminAccess,
  connectAdmin: (database?: string) => Promise<Client>,
  register: (names: { database: string; role: string }) => void,
): Promise<SourceDatabase> {
  const suffix = randomBytes(4).toString('hex');
  const database = `alooma_source_${suffix}`;
  const user = `alooma_reader_${suffix}`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const role = escapeIdentifier(user);
  register({ database, role: user });

  const admin = await connectAdmin();
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD ${escapeLiteral(password)}`);
    await admin.query(`CREATE DATABASE ${escapeIdentifier(database)} OWNER ${role}`);
  } finally {
    await admin.end();
  }

  const db = await connectAdmin(database);
  try {
    await db.query(`
      CREATE TABLE public.private_notes (id bigint PRIMARY KEY, body text);
      REVOKE ALL ON public.private_notes FROM PUBLIC;
      GRANT CREATE, USAGE ON SCHEMA public TO ${role};
      SET ROLE ${role};
      CREATE TABLE public.orders (
        id bigserial PRIMARY KEY,
        updated_at timestamptz NOT NULL DEFAULT now(),
        total numeric(10, 2) NOT NULL DEFAULT 0
      );
      INSERT INTO public.orders (total) VALUES (10), (20), (30);
      CREATE TABLE public.users (id bigserial PRIMARY KEY, email text, updated_at timestamptz);
      CREATE TABLE public."Line Items" (id bigserial PRIMARY KEY, changed_at timestamptz);
      CREATE SCHEMA sales;
      CREATE TABLE sales.invoices (id bigserial PRIMARY KEY, issued_at timestamptz);
      RESET ROLE;
    `);
  } finally {
    await db.end();
  }

  const withAdmin = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    const client = await connectAdmin(database);
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    host: access.host,
    port: access.port,
    database,
    user,
    password,
    odbcConfiguration: (tables) => ({
      server: access.host,
      port: access.port,
      database,
      schema: 'public',
      db_type: 'psql',
      user,
      password,
      replication_type: 'incremental_load',
      batch_size: 1000,
      auto_map: 'true',
      tables: JSON.stringify(tables),
    }),
    tableExists: (table, schema = 'public') =>
      withAdmin(async (c) => {
        const res = await c.query('SELECT to_regclass($1) AS oid', [
          `${escapeIdentifier(schema)}.${escapeIdentifier(table)}`,
        ]);
        return res.rows[0].oid !== null;
      }),
    orderCount: () =>
      withAdmin(async (c) => {
        const res = await c.query<{ n: string }>('SELECT count(*) AS n FROM public.orders');
        return Number(res.rows[0].n);
      }),
  };
}

async function dropFixtures(
  connectAdmin: (database?: string) => Promise<Client>,
  created: readonly { database: string; role: string }[],
): Promise<void> {
  if (created.length === 0) return;
  const admin = await connectAdmin();
  try {
    for (const { database, role } of created) {
      await admin.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(database)} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`);
    }
  } finally {
    await admin.end();
  }
}

/** The system user a cluster must run as: none when not root, else `postgres` or `nobody`. */
function clusterUser(): { name: string; uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status === 0 && gid.status === 0) {
      return { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
  }
  throw new Error(
    'running as root, and PostgreSQL refuses to run as root, but neither a "postgres" nor a ' +
      '"nobody" system user exists to run it as (Debian: apt-get install -y postgresql creates "postgres")',
  );
}

/** Runs a PostgreSQL program, as `runAs` through runuser when given; throws with its output. */
function run(
  bin: PostgresBinaries,
  runAs: { name: string } | undefined,
  program: string,
  args: string[],
): void {
  const [command, argv] = runAs
    ? ['runuser', ['-u', runAs.name, '--', program, ...args]]
    : [program, args];
  const result = spawnSync(command, argv, {
    encoding: 'utf8',
    cwd: os.tmpdir(),
    timeout: 120_000,
    env: { ...process.env, LC_ALL: 'C', PATH: `${bin.dir}${path.delimiter}${process.env.PATH}` },
  });
  if (result.error) throw new Error(`${command} ${argv.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(
      `${path.basename(program)} failed (exit ${result.status}${runAs ? `, as user ${runAs.name}` : ''}): ` +
        `${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readTail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
