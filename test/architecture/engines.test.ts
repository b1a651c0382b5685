/**
 * Node versions: every package the lock file installs accepts the Node
 * versions this package declares (`engines.node`), so neither a consumer's
 * install nor the repo's own prints `EBADENGINE`. (The packed-package e2e
 * checks what npm prints; this checks the declared ranges, also for the
 * oldest Node we accept, which the machine running the tests may not be.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- semver ships no types here; npm's own dependency
const semver = require('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};

const ROOT = path.resolve(__dirname, '../..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly engines?: { readonly node?: string } | readonly string[];
}
const LOCK = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};

/** The entry's `engines.node`; old packages wrote `engines` as an array, which npm ignores. */
function nodeRange(entry: LockEntry): string | undefined {
  return Array.isArray(entry.engines) ? undefined : (entry.engines as { node?: string })?.node;
}

/** Lock entries whose `engines.node` refuses `nodeVersion`, as `name@version (node range)`. */
function refusing(nodeVersion: string, entries: Array<[string, LockEntry]>): string[] {
  return entries
    .filter(([, entry]) => {
      const range = nodeRange(entry);
      return range !== undefined && !semver.satisfies(nodeVersion, range);
    })
    .map(
      ([where, entry]) =>
        `${where.replace(/^.*node_modules\//, '')}@${entry.version} (node ${nodeRange(entry)})`,
    );
}

const installed = Object.entries(LOCK.packages).filter(([where]) => where !== '');
const forConsumers = installed.filter(([, entry]) => !entry.dev);

test('the lock file records engines (lockfile v3) and covers the runtime dependencies', () => {
  expect(LOCK.lockfileVersion).toBe(3);
  expect(forConsumers.map(([where]) => where)).toEqual(
    expect.arrayContaining([
      'node_modules/@fastify/cookie',
      'node_modules/cookie',
      'node_modules/fastify',
    ]),
  );
});

test('every package a consumer installs accepts the oldest Node engines.node allows', () => {
  const oldest = semver.minVersion(PACKAGE.engines.node)!.version;
  expect(oldest).toBe('20.0.0');
  expect(refusing(oldest, forConsumers)).toEqual([]);
});

test("every package of the repo's own install accepts the Node running the tests", () => {
  expect(semver.satisfies(process.version, PACKAGE.engines.node)).toBe(true);
  expect(refusing(process.version, installed)).toEqual([]);
});
