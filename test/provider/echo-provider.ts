/**
 * A test-only provider on the framework: `echo_item` objects kept as JSON
 * files in a directory (the provider's `directory`), so a test can change
 * them "out of band" as someone would in Alooma's UI. It exercises what the
 * Alooma resources will need: a string id kept on update, a `map(string)`,
 * a write-only password with a `_version` that decides when it is written,
 * and an optional attribute with a default.
 *
 * The store file of an item holds the password it was last sent (this is
 * the "API" side; Terraform's state must never hold it) and how many times
 * it was written. `ECHO_EVENTS`, when set, names a file where each process
 * appends `start <pid>` and `shutdown <pid>`.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  errorDiagnostic,
  keepPriorValue,
  serveProvider,
  types,
  type Diagnostic,
  type ObjectValue,
  type ProviderDefinition,
  type Resource,
} from '../../src/provider/framework';

/** One stored item, as the echo "API" keeps it. */
export interface EchoItem {
  name: string;
  tables: Record<string, string> | null;
  mode: string;
  password: string | null;
  password_version: string | null;
  password_writes: number;
}

interface EchoClient {
  readonly directory: string;
}

const events = process.env.ECHO_EVENTS;
const event = (what: string) => {
  if (events) fs.appendFileSync(events, `${what} ${process.pid} ${Date.now()}\n`);
};

function client(ctx: { provider: EchoClient | undefined }): EchoClient {
  if (!ctx.provider) throw new Error('the provider is not configured');
  return ctx.provider;
}

const file = (c: EchoClient, id: string) => path.join(c.directory, `${id}.json`);

function load(c: EchoClient, id: string): EchoItem | null {
  try {
    return JSON.parse(fs.readFileSync(file(c, id), 'utf8')) as EchoItem;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function save(c: EchoClient, id: string, item: EchoItem): void {
  fs.mkdirSync(c.directory, { recursive: true });
  fs.writeFileSync(file(c, id), JSON.stringify(item, null, 2));
}

/** The state of an item: what the store says, write-only password null. */
function stateOf(id: string, item: EchoItem, prior: ObjectValue | null): ObjectValue {
  // null and {} mean the same here: keep the spelling the state already has
  const tables =
    item.tables && Object.keys(item.tables).length > 0 ? item.tables : (prior?.tables ?? null);
  return {
    id,
    name: item.name,
    tables,
    mode: item.mode,
    password: null,
    password_version: item.password_version,
  };
}

const item: Resource<EchoClient> = {
  typeName: 'echo_item',
  schema: {
    version: 1,
    description: 'An item the echo provider keeps as a JSON file.',
    attributes: {
      id: {
        type: types.string,
        computed: true,
        description: 'The id the store gave the item.',
        planModifiers: [keepPriorValue],
      },
      name: { type: types.string, required: true, description: 'The name of the item.' },
      tables: {
        type: types.map(types.string),
        optional: true,
        description: 'Tables to replicate, each with its update indicator.',
      },
      mode: {
        type: types.string,
        optional: true,
        computed: true,
        default: 'standard',
        description: 'How the item runs: standard or fast.',
      },
      password: {
        type: types.string,
        optional: true,
        sensitive: true,
        writeOnly: true,
        description: 'The password; written on create and when password_version changes.',
      },
      password_version: {
        type: types.string,
        optional: true,
        description: 'Change it to write the password again.',
      },
    },
  },
  // version 0 called the map `table_map`
  upgraders: { 0: ({ table_map, ...rest }) => ({ ...rest, tables: table_map ?? null }) },

  validate({ config }): Diagnostic[] {
    const out: Diagnostic[] = [];
    if (typeof config.mode === 'string' && !['standard', 'fast'].includes(config.mode)) {
      out.push(
        errorDiagnostic('Invalid mode', 'mode is standard or fast.', [{ attribute: 'mode' }]),
      );
    }
    if (config.password !== null && config.password_version === null) {
      out.push(
        errorDiagnostic(
          'password_version is required with password',
          'Set password_version, and change it to write the password again.',
          [{ attribute: 'password_version' }],
        ),
      );
    }
    return out;
  },

  async create({ config, planned }, ctx) {
    const c = client(ctx);
    const id = `item-${randomBytes(4).toString('hex')}`;
    const stored: EchoItem = {
      name: planned.name as string,
      tables: (planned.tables as Record<string, string> | null) ?? null,
      mode: planned.mode as string,
      password: (config.password as string | null) ?? null,
      password_version: (planned.password_version as string | null) ?? null,
      password_writes: config.password !== null ? 1 : 0,
    };
    save(c, id, stored);
    return { state: stateOf(id, stored, planned) };
  },

  async read({ state }, ctx) {
    const stored = load(client(ctx), state.id as string);
    return stored ? { state: stateOf(state.id as string, stored, state) } : null;
  },

  async update({ config, planned, prior }, ctx) {
    const c = client(ctx);
    const id = prior.id as string;
    const stored = load(c, id);
    if (!stored) throw new Error(`item ${id} is gone`);
    const rotate = planned.password_version !== prior.password_version;
    const next: EchoItem = {
      ...stored,
      name: planned.name as string,
      tables: (planned.tables as Record<string, string> | null) ?? null,
      mode: planned.mode as string,
      password_version: (planned.password_version as string | null) ?? null,
      ...(rotate
        ? {
            password: (config.password as string | null) ?? null,
            password_writes: stored.password_writes + 1,
          }
        : {}),
    };
    save(c, id, next);
    return { state: stateOf(id, next, planned) };
  },

  async delete({ prior }, ctx) {
    fs.rmSync(file(client(ctx), prior.id as string), { force: true });
  },
};

/** The echo provider; `onShutdown` records the process's exit through Shutdown. */
export const echoProvider: ProviderDefinition<EchoClient> = {
  name: 'echo',
  schema: {
    description: 'Test-only provider: items as JSON files.',
    attributes: {
      directory: { type: types.string, required: true, description: 'Where the items live.' },
    },
  },
  configure: ({ config }) => ({ directory: config.directory as string }),
  resources: [item],
};

/** Runs the echo provider as a plugin process (the entry point of its bundle). */
export function main(): void {
  event('start');
  serveProvider(echoProvider, { onShutdown: () => event('shutdown') });
}
