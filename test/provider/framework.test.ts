/**
 * The framework over the wire: planning (defaults, computed unknowns, the
 * named plan modifiers, write-only null), and the protocol's rules on what
 * goes back to Terraform, each of which Terraform otherwise reports to users
 * as "Provider produced inconsistent result".
 */
import { FrameworkServer } from '../../src/provider/framework/provider-server';
import {
  keepPriorValue,
  requiresReplace,
  types,
  UNKNOWN,
  type ObjectValue,
  type ProviderDefinition,
  type Resource,
  type StateResult,
} from '../../src/provider/framework';
import { Logger } from '../../src/provider/wire/log';
import type { DiagnosticMessage } from '../../src/provider/wire/diagnostics';
import type { DynamicValue } from '../../src/provider/wire/messages';
import {
  decodeMsgpack,
  encodeMsgpack,
  type CtyType,
  type Value,
} from '../../src/provider/wire/values';
import { SchemaDefinitionError, schemaType } from '../../src/provider/framework/schema';

const SECRET = 'pa55-word-never-shown';

/** A resource whose functions each test replaces. */
function widget(overrides: Partial<Resource<unknown>> = {}): Resource<unknown> {
  return {
    typeName: 'test_widget',
    schema: {
      version: 1,
      description: 'A widget.',
      attributes: {
        id: {
          type: types.string,
          computed: true,
          description: 'Id.',
          planModifiers: [keepPriorValue],
        },
        name: { type: types.string, required: true, description: 'Name.' },
        kind: {
          type: types.string,
          optional: true,
          description: 'Kind.',
          planModifiers: [requiresReplace],
        },
        tables: { type: types.map(types.string), optional: true, description: 'Tables.' },
        mode: {
          type: types.string,
          optional: true,
          computed: true,
          default: 'standard',
          description: 'Mode.',
        },
        revision: { type: types.number, computed: true, description: 'Changes on every write.' },
        password: {
          type: types.string,
          optional: true,
          writeOnly: true,
          sensitive: true,
          description: 'Secret.',
        },
        parameters: {
          nested: {
            nesting: 'map',
            attributes: {
              value: { type: types.string, optional: true, description: 'Value.' },
              secret: {
                type: types.string,
                optional: true,
                writeOnly: true,
                description: 'Secret value.',
              },
              type: {
                type: types.string,
                optional: true,
                computed: true,
                default: 'Text',
                description: 'Type.',
              },
            },
          },
          optional: true,
          description: 'Parameters by name.',
        },
      },
    },
    create: async ({ planned }) => ({ state: { ...planned, id: 'w-1', revision: 1 } }),
    read: async ({ state }) => ({ state }),
    update: async ({ planned, prior }) => ({
      state: { ...planned, revision: (prior.revision as number) + 1 },
    }),
    delete: async () => undefined,
    ...overrides,
  };
}

function server(resource: Resource<unknown>, extra: Partial<ProviderDefinition<unknown>> = {}) {
  const definition: ProviderDefinition<unknown> = {
    name: 'test',
    schema: { description: 'Test.', attributes: {} },
    resources: [resource],
    ...extra,
  };
  return new FrameworkServer(definition, new Logger('test', 'off'));
}

const TYPE: CtyType = schemaType(widget().schema);
const dv = (value: Value): DynamicValue => ({ msgpack: Buffer.from(encodeMsgpack(value, TYPE)) });
const read = (value: DynamicValue | undefined) =>
  decodeMsgpack(value!.msgpack!, TYPE) as ObjectValue | null;
const full = (value: ObjectValue): ObjectValue =>
  decodeMsgpack(encodeMsgpack(value, TYPE), TYPE) as ObjectValue;
const texts = (diagnostics: DiagnosticMessage[]) =>
  diagnostics.map((d) => `${d.summary}: ${d.detail}`).join('\n');

const CONFIG = full({
  name: 'orders',
  tables: { users: 'id' },
  password: SECRET,
  parameters: { since: { value: '2020', secret: SECRET } },
});
const STATE = full({
  id: 'w-1',
  name: 'orders',
  tables: { users: 'id' },
  mode: 'standard',
  revision: 1,
  parameters: { since: { value: '2020', type: 'Text' } },
});

async function plan(s: FrameworkServer<unknown>, config: ObjectValue, prior: ObjectValue | null) {
  // Terraform proposes config values, prior values for unset computed attributes
  const proposed = { ...config };
  if (prior)
    for (const k of ['id', 'revision', 'mode']) if (proposed[k] === null) proposed[k] = prior[k];
  return s.planResourceChange({
    type_name: 'test_widget',
    prior_state: dv(prior),
    proposed_new_state: dv(proposed),
    config: dv(config),
    prior_private: Buffer.from('p1'),
  });
}

describe('schema', () => {
  test('the schema message carries descriptions, modes, write-only, sensitive and nested map attributes; capabilities say the schema may be cached', async () => {
    const response = await server(widget()).getProviderSchema();
    const schema = response.resource_schemas.test_widget;
    expect(schema.version).toBe(1);
    const byName = Object.fromEntries(schema.block.attributes.map((a) => [a.name, a]));
    expect(byName.password).toMatchObject({
      write_only: true,
      sensitive: true,
      optional: true,
      computed: false,
    });
    expect(byName.id).toMatchObject({ computed: true, optional: false, description: 'Id.' });
    expect(JSON.parse(byName.tables.type!.toString())).toEqual(['map', 'string']);
    expect(byName.parameters.nested_type!.nesting).toBe(4);
    expect(byName.parameters.nested_type!.attributes.map((a) => [a.name, a.write_only])).toEqual([
      ['value', false],
      ['secret', true],
      ['type', false],
    ]);
    expect(response.server_capabilities).toEqual({
      plan_destroy: false,
      get_provider_schema_optional: true,
      move_resource_state: true,
    });
  });

  test('a schema mistake stops the provider at start, naming the attribute', () => {
    const bad = widget();
    const broken = {
      ...bad,
      schema: {
        ...bad.schema,
        attributes: {
          ...bad.schema.attributes,
          mode: { type: types.string, optional: true, default: 'x', description: 'M.' },
        },
      },
    };
    expect(() => server(broken)).toThrow(SchemaDefinitionError);
    expect(() => server(broken)).toThrow(
      'schema test_widget.mode: a default needs optional + computed',
    );
  });
});

describe('plan', () => {
  test('GIVEN a new resource WHEN planned THEN configured values stay, defaults fill unset optional+computed, other computed are unknown, write-only are null (nested too)', async () => {
    const response = await plan(server(widget()), CONFIG, null);
    expect(response.diagnostics).toEqual([]);
    expect(read(response.planned_state)).toEqual({
      id: UNKNOWN,
      name: 'orders',
      kind: null,
      tables: { users: 'id' },
      mode: 'standard',
      revision: UNKNOWN,
      password: null,
      parameters: { since: { value: '2020', secret: null, type: 'Text' } },
    });
    expect(response.requires_replace).toEqual([]);
  });

  test('GIVEN an in-place change WHEN planned THEN the id is kept, other computed values become unknown, nothing is replaced and private passes on', async () => {
    const response = await plan(
      server(widget()),
      { ...CONFIG, tables: { users: 'id', items: 'ts' } },
      STATE,
    );
    const planned = read(response.planned_state)!;
    expect(planned.id).toBe('w-1');
    expect(planned.revision).toBe(UNKNOWN);
    expect(planned.tables).toEqual({ users: 'id', items: 'ts' });
    expect(response.requires_replace).toEqual([]);
    expect(response.planned_private.toString()).toBe('p1');
  });

  test('no change: the plan is the prior state (computed values kept, not unknown)', async () => {
    const response = await plan(server(widget()), CONFIG, STATE);
    expect(read(response.planned_state)).toEqual(STATE);
  });

  test('a "requires replace" attribute that changes is reported with its path', async () => {
    const response = await plan(server(widget()), { ...CONFIG, kind: 'b' }, STATE);
    expect(response.requires_replace).toEqual([{ steps: [{ attribute_name: 'kind' }] }]);
  });

  test('a "requires replace" attribute whose new value is unknown at plan also replaces (no replacement appearing only at apply)', async () => {
    const response = await plan(
      server(widget()),
      { ...CONFIG, kind: UNKNOWN },
      { ...STATE, kind: 'a' },
    );
    expect(response.requires_replace).toEqual([{ steps: [{ attribute_name: 'kind' }] }]);
    const same = await plan(server(widget()), { ...CONFIG, kind: 'a' }, { ...STATE, kind: 'a' });
    expect(same.requires_replace).toEqual([]);
  });

  test('GIVEN a resource plan that changes a non-computed attribute THEN the plan fails with its path, never its value', async () => {
    const sneaky = widget({
      plan: ({ planned }) => ({ planned: { ...planned, tables: { users: SECRET } } }),
    });
    const response = await plan(server(sneaky), CONFIG, STATE);
    expect(response.planned_state).toBeUndefined();
    expect(response.diagnostics).toHaveLength(1);
    expect(response.diagnostics[0].attribute).toEqual({ steps: [{ attribute_name: 'tables' }] });
    expect(texts(response.diagnostics)).toMatch(/must be planned exactly as configured/);
    expect(texts(response.diagnostics)).not.toContain(SECRET);
  });

  test('a write-only value is planned as null even when a resource plan puts one back', async () => {
    let seen: Value | undefined;
    const leaky = widget({
      plan: ({ planned, config }) => {
        seen = planned.password;
        return { planned: { ...planned, password: config.password } };
      },
    });
    const response = await plan(server(leaky), CONFIG, null);
    // the resource's plan sees write-only values in config only
    expect(seen).toBeNull();
    expect(response.diagnostics).toEqual([]);
    expect(read(response.planned_state)!.password).toBeNull();
    expect(Buffer.from(response.planned_state!.msgpack!).includes(SECRET)).toBe(false);
  });

  test('destroy: the planned state is null and no resource function runs', async () => {
    const s = server(
      widget({
        plan: () => {
          throw new Error('not on destroy');
        },
      }),
    );
    const response = await s.planResourceChange({
      type_name: 'test_widget',
      prior_state: dv(STATE),
      proposed_new_state: dv(null),
      config: dv(null),
      prior_private: Buffer.alloc(0),
    });
    expect(response.diagnostics).toEqual([]);
    expect(read(response.planned_state)).toBeNull();
  });
});

describe('apply', () => {
  async function apply(
    resource: Resource<unknown>,
    prior: ObjectValue | null,
    planned: ObjectValue | null,
    config = CONFIG,
  ) {
    return server(resource).applyResourceChange({
      type_name: 'test_widget',
      prior_state: dv(prior),
      planned_state: dv(planned),
      config: dv(config),
      planned_private: Buffer.from('planned'),
    });
  }
  const PLANNED_CREATE = full({
    ...STATE,
    id: UNKNOWN,
    revision: UNKNOWN,
    tables: { users: 'id' },
  });

  test('create: write-only values reach the resource through config, and come back null', async () => {
    let seen: ObjectValue | undefined;
    const response = await apply(
      widget({
        create: async ({ config, planned }) => {
          seen = config;
          return { state: { ...planned, id: 'w-1', revision: 1, password: config.password } };
        },
      }),
      null,
      PLANNED_CREATE,
    );
    expect(response.diagnostics).toEqual([]);
    expect(seen!.password).toBe(SECRET);
    const state = read(response.new_state)!;
    expect(state.password).toBeNull();
    expect(state).toEqual(STATE);
    expect(Buffer.from(response.new_state!.msgpack!).includes(SECRET)).toBe(false);
  });

  test('GIVEN a create that fails WHEN applied THEN no state comes back (no tainted half-resource) and the error keeps its hint and code', async () => {
    const failing = widget({
      create: async () => {
        throw Object.assign(new Error('the API refused the input'), {
          code: 'validation',
          hint: 'Check the table names.',
        });
      },
    });
    const response = await apply(failing, null, PLANNED_CREATE);
    expect(read(response.new_state)).toBeNull();
    expect(response.diagnostics[0]).toMatchObject({
      severity: 1,
      summary: 'Cannot create the resource',
    });
    expect(response.diagnostics[0].detail).toBe(
      'the API refused the input\nHint: Check the table names.\n(error code: validation)',
    );
  });

  test('an unknown left in the result fails the apply with its path, and a create returns no state', async () => {
    const lazy = widget({ create: async ({ planned }) => ({ state: { ...planned, id: 'w-1' } }) });
    const response = await apply(lazy, null, PLANNED_CREATE);
    expect(read(response.new_state)).toBeNull();
    expect(response.diagnostics.map((d) => d.attribute)).toEqual([
      { steps: [{ attribute_name: 'revision' }] },
    ]);
    expect(texts(response.diagnostics)).toMatch(/still unknown after the operation/);
  });

  test('a result other than the planned known values fails with the path of the difference (a map key), and an update keeps the prior state', async () => {
    const planned = full({ ...STATE, tables: { users: 'id', items: 'ts' }, revision: UNKNOWN });
    const drifting = widget({
      update: async ({ planned: p }) => ({
        state: { ...p, revision: 2, tables: { users: 'id', items: 'other' } },
      }),
    });
    const response = await apply(drifting, STATE, planned);
    expect(read(response.new_state)).toEqual(STATE);
    expect(response.diagnostics.map((d) => d.attribute)).toEqual([
      { steps: [{ attribute_name: 'tables' }, { element_key_string: 'items' }] },
    ]);
  });

  test('the id is kept on update: an update that returns another id fails', async () => {
    const planned = full({
      ...STATE,
      tables: { users: 'id', items: 'ts' },
      revision: UNKNOWN,
      id: UNKNOWN,
    });
    const renaming = widget({
      update: async ({ planned: p }) => ({ state: { ...p, id: 'w-2', revision: 2 } }),
    });
    const response = await apply(renaming, STATE, planned);
    expect(read(response.new_state)).toEqual(STATE);
    expect(response.diagnostics.map((d) => d.attribute)).toEqual([
      { steps: [{ attribute_name: 'id' }] },
    ]);
    expect(texts(response.diagnostics)).toMatch(/must keep the id/);
  });

  test('delete: null state; a delete that fails keeps the resource', async () => {
    expect(read((await apply(widget(), STATE, null)).new_state)).toBeNull();
    const stuck = widget({
      delete: async () => {
        throw new Error('server error');
      },
    });
    const response = await apply(stuck, STATE, null);
    expect(read(response.new_state)).toEqual(STATE);
    expect(texts(response.diagnostics)).toMatch(/Cannot delete the resource: server error/);
  });

  test('StopProvider aborts the signal of work in flight', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const s = server(
      widget({
        create: ({ planned }, ctx): Promise<StateResult> =>
          new Promise((resolve, reject) => {
            started();
            ctx.signal.addEventListener('abort', () =>
              reject(new Error('cancelled: Terraform asked to stop')),
            );
            setTimeout(
              () => resolve({ state: { ...planned, id: 'late', revision: 1 } }),
              10_000,
            ).unref();
          }),
      }),
    );
    const applying = s.applyResourceChange({
      type_name: 'test_widget',
      prior_state: dv(null),
      planned_state: dv(PLANNED_CREATE),
      config: dv(CONFIG),
      planned_private: Buffer.alloc(0),
    });
    await running;
    await s.stopProvider();
    const response = await applying;
    expect(read(response.new_state)).toBeNull();
    expect(texts(response.diagnostics)).toMatch(/cancelled: Terraform asked to stop/);
  });
});

describe('read, import, upgrade, move, validate', () => {
  test('Read echoes private; a resource that is gone reads as null; an error keeps the state', async () => {
    const s = (r: Partial<Resource<unknown>>) => server(widget(r));
    const req = {
      type_name: 'test_widget',
      current_state: dv(STATE),
      private: Buffer.from('marker'),
    };
    const same = await s({}).readResource(req);
    expect(same.private.toString()).toBe('marker');
    expect(read(same.new_state)).toEqual(STATE);
    const gone = await s({ read: async () => null }).readResource(req);
    expect(read(gone.new_state)).toBeNull();
    const failing = await s({
      read: async () => {
        throw new Error('503 from the API');
      },
    }).readResource(req);
    expect(read(failing.new_state)).toEqual(STATE);
    expect(texts(failing.diagnostics)).toMatch(/Cannot read the resource: 503 from the API/);
  });

  test('an unknown resource type or a value that does not fit the schema becomes a diagnostic, and the state stays', async () => {
    const s = server(widget());
    const unknownType = await s.readResource({
      type_name: 'test_nothing',
      current_state: dv(STATE),
      private: Buffer.alloc(0),
    });
    expect(texts(unknownType.diagnostics)).toMatch(
      /this provider has no resource type "test_nothing"/,
    );
    expect(read(unknownType.new_state)).toEqual(STATE);
    const wrongShape = {
      msgpack: Buffer.from(
        encodeMsgpack({ id: 'w-1', name: 'x' }, ['object', { id: 'string', name: 'string' }]),
      ),
    };
    const fromOtherSchema = {
      msgpack: Buffer.from(
        encodeMsgpack({ id: 'w-1', stray: SECRET }, ['object', { id: 'string', stray: 'string' }]),
      ),
    };
    const applied = await s.applyResourceChange({
      type_name: 'test_widget',
      prior_state: dv(STATE),
      planned_state: fromOtherSchema,
      config: wrongShape,
      planned_private: Buffer.alloc(0),
    });
    expect(read(applied.new_state)).toEqual(STATE);
    expect(texts(applied.diagnostics)).toMatch(
      /Cannot apply the change: the value: has attributes the schema does not define: stray/,
    );
    expect(texts(applied.diagnostics)).not.toContain(SECRET);
  });

  test('Import by id: a state with the id and nulls, for Read to complete', async () => {
    const response = await server(widget()).importResourceState({
      type_name: 'test_widget',
      id: 'w-9',
    });
    expect(response.diagnostics).toEqual([]);
    expect(read(response.imported_resources[0].state)).toEqual(full({ id: 'w-9' }));
  });

  test('UpgradeResourceState: JSON state of an older version goes through its upgrader; a newer version or an unknown attribute is refused', async () => {
    const s = server(
      widget({ upgraders: { 0: ({ table_map, ...rest }) => ({ ...rest, tables: table_map }) } }),
    );
    const old = await s.upgradeResourceState({
      type_name: 'test_widget',
      version: 0,
      raw_state: {
        json: Buffer.from(
          JSON.stringify({ id: 'w-1', name: 'orders', table_map: { users: 'id' } }),
        ),
      },
    });
    expect(old.diagnostics).toEqual([]);
    expect(read(old.upgraded_state)).toEqual(
      full({ id: 'w-1', name: 'orders', tables: { users: 'id' } }),
    );
    const newer = await s.upgradeResourceState({
      type_name: 'test_widget',
      version: 2,
      raw_state: { json: Buffer.from('{}') },
    });
    expect(texts(newer.diagnostics)).toMatch(
      /written by a newer provider \(schema version 2; this one knows up to 1\)/,
    );
    const extra = await s.upgradeResourceState({
      type_name: 'test_widget',
      version: 1,
      raw_state: { json: Buffer.from(JSON.stringify({ id: 'w-1', stray: SECRET })) },
    });
    expect(texts(extra.diagnostics)).toMatch(/attributes the schema does not define: stray/);
    expect(texts(extra.diagnostics)).not.toContain(SECRET);
  });

  test('MoveResourceState: a resource that takes over another type returns its state; one that cannot says so', async () => {
    const req = {
      source_provider_address: 'terraform.io/builtin/terraform',
      source_type_name: 'terraform_data',
      source_schema_version: 0,
      source_state: {
        json: Buffer.from(JSON.stringify({ id: 'x', input: { value: { name: 'orders' } } })),
      },
      target_type_name: 'test_widget',
      source_private: Buffer.alloc(0),
    };
    const refused = await server(widget()).moveResourceState(req);
    expect(texts(refused.diagnostics)).toMatch(/test_widget cannot take over a terraform_data/);
    const mover = widget({
      move: ({ sourceState }) => ({
        state: { id: 'w-1', name: ((sourceState.input as ObjectValue).value as ObjectValue).name },
      }),
    });
    const moved = await server(mover).moveResourceState(req);
    expect(moved.diagnostics).toEqual([]);
    expect(read(moved.target_state)).toEqual(full({ id: 'w-1', name: 'orders' }));
  });

  test("ValidateResourceConfig passes the resource's diagnostics with their attribute path", async () => {
    const s = server(
      widget({
        validate: ({ config }) =>
          config.mode === 'turbo'
            ? [
                {
                  severity: 'error',
                  summary: 'Invalid mode',
                  detail: 'standard or fast',
                  path: [{ attribute: 'mode' }],
                },
              ]
            : [],
      }),
    );
    const response = await s.validateResourceConfig({
      type_name: 'test_widget',
      config: dv({ ...CONFIG, mode: 'turbo' }),
    });
    expect(response.diagnostics).toEqual([
      {
        severity: 1,
        summary: 'Invalid mode',
        detail: 'standard or fast',
        attribute: { steps: [{ attribute_name: 'mode' }] },
      },
    ]);
  });
});
