import { Manifest, MARKER_FIELD, InputSpec } from '../../../src/runtime/protocol';
import { canonicalConfig, toApiConfiguration } from '../../../src/alooma/canonical';
import { diffConfig } from '../../../src/runtime/reconcile/diff';
import {
  LiveInput,
  planDelete,
  planManifest,
  planPrune,
  summarize,
} from '../../../src/runtime/reconcile/plan';
import { compactLine, formatPlan } from '../../../src/runtime/reconcile/report';
import {
  desiredApiConfiguration,
  MissingSecretError,
  resolveSecrets,
} from '../../../src/runtime/reconcile/apply';
import { SECRET_MASK } from '../../../src/alooma/secret-fields';

describe('canonical configuration', () => {
  test('a tables JSON string and the same tables as an object compare equal', () => {
    const live = canonicalConfig({ tables: '{"b":"xmin","a":"id"}' });
    const desired = canonicalConfig({ tables: { a: 'id', b: 'xmin' } });
    expect(live).toEqual(desired);
  });

  test('auto_map "true" and true, port "5432" and 5432 compare equal', () => {
    expect(canonicalConfig({ auto_map: 'true', port: '5432' })).toEqual(
      canonicalConfig({ auto_map: true, port: 5432 }),
    );
  });

  test('parameters compare by name, whatever their order, and secret values are left out', () => {
    const live = canonicalConfig({
      parameters: [
        { parameter: 'where', type: 'Days Past', value: 2 },
        { parameter: 'session_id', type: 'Text', value: SECRET_MASK },
      ],
    });
    const desired = canonicalConfig({
      parameters: [
        { parameter: 'session_id', type: 'Text' },
        { parameter: 'where', type: 'Days Past', value: 2 },
      ],
    });
    expect(live).toEqual(desired);
  });

  test('secret keys and the ownership marker are never compared', () => {
    expect(
      canonicalConfig({ password: SECRET_MASK, [MARKER_FIELD]: { owner: 'x' }, user: 'u' }),
    ).toEqual({ user: 'u' });
  });

  test('the API form serialises tables back to a JSON string', () => {
    expect(toApiConfiguration({ tables: { orders: 'xmin' }, port: 5432 })).toEqual({
      tables: '{"orders":"xmin"}',
      port: 5432,
    });
  });
});

describe('field-level diff', () => {
  test('nested table changes are reported per table, grouped like preview_input_changes', () => {
    const diff = diffConfig(
      { tables: { orders: 'xmin', users: 'xmin' }, batch_size: 100 },
      { tables: { orders: 'updated_at', items: 'id' }, batch_size: 100 },
    );
    expect(diff.changed).toEqual([
      { kind: 'changed', path: ['tables', 'orders'], from: 'xmin', to: 'updated_at' },
    ]);
    expect(diff.removed).toEqual([{ kind: 'removed', path: ['tables', 'users'], from: 'xmin' }]);
    expect(diff.added).toEqual([{ kind: 'added', path: ['tables', 'items'], to: 'id' }]);
    expect(diff.matching.map((m) => m.path.join('.'))).toEqual(['batch_size']);
  });
});

describe('planning a manifest against live inputs', () => {
  test('GIVEN no live input WHEN planned THEN it is created with its secrets', () => {
    const plan = planManifest(manifest([db()]), []);
    expect(plan.inputs[0]).toMatchObject({ kind: 'create', secretsToWrite: ['password'] });
  });

  test('GIVEN a live input as the API stores it WHEN planned THEN it is unchanged (no perpetual diff)', () => {
    const plan = planManifest(manifest([db()]), [liveDb()]);
    expect(plan.inputs[0].kind).toBe('unchanged');
  });

  test('GIVEN a removed and an added table WHEN planned THEN an update lists both', () => {
    const spec = db({ tables: { orders: 'xmin::text::bigint', items: 'updated_at' } });
    const plan = planManifest(manifest([spec]), [liveDb()]);
    expect(plan.inputs[0].kind).toBe('update');
    expect(compactLine(plan.inputs[0])).toBe('orders_db: tables +items -users');
  });

  test('GIVEN only the paused state differs WHEN planned THEN it is a pause or resume, not an update', () => {
    expect(planManifest(manifest([db({}, { paused: true })]), [liveDb()]).inputs[0].kind).toBe(
      'pause',
    );
    expect(
      planManifest(manifest([db({}, { paused: false })]), [liveDb({ paused: true })]).inputs[0]
        .kind,
    ).toBe('resume');
  });

  test('GIVEN paused is undefined WHEN the live input is paused THEN it is left as it is', () => {
    expect(
      planManifest(manifest([db({}, { paused: undefined })]), [liveDb({ paused: true })]).inputs[0]
        .kind,
    ).toBe('unchanged');
  });

  test('GIVEN a bumped secret version WHEN planned THEN only that secret is rewritten', () => {
    const spec = db({}, { secrets: { password: { env: 'PG_PASSWORD', version: '2' } } });
    const input = planManifest(manifest([spec]), [liveDb()]).inputs[0];
    expect(input).toMatchObject({ kind: 'update', secretsToWrite: ['password'] });
    expect(compactLine(input)).toBe('orders_db: password (secret) rotated');
  });

  test('GIVEN an input without ownership marker WHEN planned THEN it is adopted', () => {
    const live = liveDb();
    delete (live.configuration as Record<string, unknown>)[MARKER_FIELD];
    const input = planManifest(manifest([db()]), [live]).inputs[0];
    expect(input).toMatchObject({ kind: 'update', adopt: true });
    expect(input.secretsToWrite).toEqual([]);
  });

  test('GIVEN an input owned by another stack WHEN planned THEN it is a conflict and not written', () => {
    const live = liveDb({
      configuration: { ...liveDb().configuration, [MARKER_FIELD]: { owner: 'other' } },
    });
    const input = planManifest(manifest([db()]), [live]).inputs[0];
    expect(input.kind).toBe('conflict');
    expect(input.reason).toMatch(/managed by "other"/);
  });

  test('GIVEN a live input of another type WHEN planned THEN it is a conflict naming both types', () => {
    const input = planManifest(manifest([db()]), [liveDb({ type: 'S3' })]).inputs[0];
    expect(input).toMatchObject({ kind: 'conflict' });
    expect(input.reason).toMatch(/S3.*ODBC/);
  });

  test('GIVEN a RESTREAM system input with a declared name WHEN planned THEN it is never touched', () => {
    const input = planManifest(manifest([db()]), [liveDb({ type: 'RESTREAM' })]).inputs[0];
    expect(input.kind).toBe('conflict');
  });

  test('GIVEN unmanaged live fields WHEN planned THEN they are ignored', () => {
    const live = liveDb({
      configuration: { ...liveDb().configuration, input_type: 'x', state_extra: 1 },
    });
    expect(planManifest(manifest([db()]), [live]).inputs[0].kind).toBe('unchanged');
  });

  test('the multi-line plan is readable and ends with a summary', () => {
    const plan = planManifest(manifest([db({ batch_size: 500 }), db({}, { name: 'new_db' })]), [
      liveDb(),
    ]);
    expect(formatPlan(plan)).toBe(
      [
        '~ orders_db (ODBC) will be updated in place',
        '    ~ batch_size: 100000 -> 500',
        '+ new_db (ODBC) will be created',
        '    + server = "db.internal"',
        '    + port = 5432',
        '    + database = "shop"',
        '    + db_type = "psql"',
        '    + user = "reader"',
        '    + auto_map = true',
        '    + batch_size = 100000',
        '    + tables = {"orders":"xmin::text::bigint","users":"xmin::text::bigint"}',
        '    ~ password: (secret, written)',
        'Plan: 1 to create, 1 to update, 0 to pause/resume, 0 to delete; 0 unchanged.',
      ].join('\n'),
    );
  });
});

describe('prune and delete plans', () => {
  test('prune deletes previously managed names the manifest dropped, and only those this owner manages', () => {
    const mine = liveDb({ name: 'old_db', id: 'a' });
    const foreign = liveDb({
      name: 'foreign',
      id: 'b',
      configuration: { [MARKER_FIELD]: { owner: 'other' } },
    });
    const kept = liveDb({ id: 'c' });
    const plan = planPrune(
      manifest([db()]),
      ['old_db', 'foreign', 'orders_db', 'gone'],
      [mine, foreign, kept],
    );
    expect(summarize(plan)).toMatchObject({ delete: 1, conflict: 1 });
    expect(plan.inputs.find((i) => i.kind === 'delete')?.name).toBe('old_db');
  });

  test('delete refuses an input not created by alooma-cdktf', () => {
    expect(planDelete('stack', liveDb({ configuration: {} })).kind).toBe('conflict');
  });

  test.each(['RESTREAM', 'restream', 'Agent'])(
    "GIVEN a %s system input carrying this stack's marker WHEN its deletion is planned THEN it is a conflict (system types in any case)",
    (type) => {
      expect(planDelete('stack', liveDb({ type }))).toMatchObject({
        kind: 'conflict',
        reason: `"orders_db" is a ${type} system input`,
      });
    },
  );

  test("GIVEN the marker stored as JSON text WHEN its deletion is planned THEN the input is this stack's", () => {
    const live = liveDb({
      configuration: { ...liveDb().configuration, [MARKER_FIELD]: '{"owner":"stack"}' },
    });
    expect(planDelete('stack', live).kind).toBe('delete');
    expect(planDelete('other', live).reason).toMatch(/managed by "stack"/);
  });

  test('GIVEN a transformer of a declared name WHEN planned THEN only inputs are matched: it is created', () => {
    const plan = planManifest(manifest([db()]), [liveDb({ category: 'TRANSFORMER' })]);
    expect(plan.inputs[0].kind).toBe('create');
  });
});

describe('secrets at apply time', () => {
  test('every missing variable is reported at once, before any write', () => {
    const plan = planManifest(
      manifest([db(), db({}, { name: 'b', secrets: { password: { env: 'B_PW' } } })]),
      [],
    );
    expect(() => resolveSecrets(plan, {})).toThrow(MissingSecretError);
    expect(() => resolveSecrets(plan, {})).toThrow(/PG_PASSWORD .*B_PW/);
  });

  test('an update keeps unmanaged live fields and the stored secret (mask sent back), and records the owner', () => {
    const live = liveDb({ configuration: { ...liveDb().configuration, extra: 'kept' } });
    const config = desiredApiConfiguration(db({ batch_size: 5 }), live, 'stack', new Map());
    expect(config).toMatchObject({
      extra: 'kept',
      password: SECRET_MASK,
      batch_size: 5,
      [MARKER_FIELD]: { owner: 'stack' },
    });
    expect(typeof config.tables).toBe('string');
  });

  test('a rotated secret is written and its version recorded', () => {
    const spec = db({}, { secrets: { password: { env: 'PG_PASSWORD', version: '3' } } });
    const config = desiredApiConfiguration(
      spec,
      liveDb(),
      'stack',
      new Map([['password', 'new-secret']]),
    );
    expect(config.password).toBe('new-secret');
    expect(config[MARKER_FIELD]).toMatchObject({
      owner: 'stack',
      secretVersions: [{ path: 'password', version: '3' }],
    });
  });
});

function manifest(inputs: InputSpec[]): Manifest {
  return { version: 1, owner: 'stack', connection: {}, inputs };
}

function db(config: Record<string, unknown> = {}, extra: Partial<InputSpec> = {}): InputSpec {
  return {
    name: 'orders_db',
    type: 'ODBC',
    configuration: {
      server: 'db.internal',
      port: 5432,
      database: 'shop',
      db_type: 'psql',
      user: 'reader',
      auto_map: true,
      batch_size: 100000,
      tables: { orders: 'xmin::text::bigint', users: 'xmin::text::bigint' },
      ...config,
    },
    secrets: { password: { env: 'PG_PASSWORD' } },
    paused: false,
    removalPolicy: 'destroy',
    ...extra,
  };
}

function liveDb(overrides: Partial<LiveInput> = {}): LiveInput {
  return {
    id: 'id-1',
    name: 'orders_db',
    type: 'ODBC',
    category: 'INPUT',
    paused: false,
    configuration: {
      server: 'db.internal',
      port: '5432',
      database: 'shop',
      db_type: 'psql',
      user: 'reader',
      password: SECRET_MASK,
      auto_map: 'true',
      batch_size: 100000,
      tables: '{"users":"xmin::text::bigint","orders":"xmin::text::bigint"}',
      [MARKER_FIELD]: { owner: 'stack' },
    },
    ...overrides,
  };
}

describe('the ownership marker survives the API', () => {
  test('none of its keys looks like a secret, so the API never masks it', () => {
    const { isSecretKey } = jest.requireActual('../../../src/alooma/secret-fields');
    for (const key of [
      MARKER_FIELD,
      'owner',
      'secretVersions',
      'path',
      'version',
      'syncFingerprint',
    ]) {
      expect({ key, secret: isSecretKey(key) }).toEqual({ key, secret: false });
    }
  });
});

describe('several live inputs with one name (the API allows it)', () => {
  const unmanaged = (id: string) => {
    const { [MARKER_FIELD]: _marker, ...configuration } = liveDb().configuration;
    return liveDb({ id, configuration });
  };
  const ownedBy = (id: string, owner: string) =>
    liveDb({ id, configuration: { ...liveDb().configuration, [MARKER_FIELD]: { owner } } });

  test('GIVEN ours and an unmanaged one of the same name THEN ours is planned and the other is not touched', () => {
    const plan = planManifest(manifest([db({ batch_size: 5 })]), [
      unmanaged('id-person'),
      ownedBy('id-ours', 'stack'),
    ]);
    expect(plan.inputs).toHaveLength(1);
    expect(plan.inputs[0]).toMatchObject({ kind: 'update', live: { id: 'id-ours' } });
  });

  test('GIVEN two unmanaged inputs of a declared name THEN a conflict lists both ids and the rest is planned', () => {
    const plan = planManifest(manifest([db(), db({}, { name: 'other_db' })]), [
      unmanaged('id-a'),
      unmanaged('id-b'),
    ]);
    expect(plan.inputs[0]).toMatchObject({
      kind: 'conflict',
      reason: expect.stringMatching(
        /matches 2 inputs this stack does not manage \(ids id-a, id-b\)/,
      ),
    });
    expect(plan.inputs[1]).toMatchObject({ name: 'other_db', kind: 'create' });
  });

  test("GIVEN another stack's input and an unmanaged one of the name THEN adoption is ambiguous: a conflict", () => {
    const plan = planManifest(manifest([db()]), [ownedBy('id-x', 'other'), unmanaged('id-y')]);
    expect(plan.inputs[0]).toMatchObject({
      kind: 'conflict',
      reason: expect.stringContaining('id-x, id-y'),
    });
  });

  test('GIVEN two inputs of the name with our marker THEN a conflict asks to remove the extra one', () => {
    const plan = planManifest(manifest([db()]), [
      ownedBy('id-1', 'stack'),
      ownedBy('id-2', 'stack'),
    ]);
    expect(plan.inputs[0]).toMatchObject({
      kind: 'conflict',
      reason: expect.stringMatching(/exists 2 times with this stack's marker \(ids id-1, id-2\)/),
    });
  });

  test('GIVEN a dropped name shared by ours and others THEN prune deletes only ours', () => {
    const plan = planPrune(
      manifest([]),
      ['orders_db'],
      [unmanaged('id-person'), ownedBy('id-ours', 'stack'), ownedBy('id-theirs', 'other')],
    );
    expect(plan.inputs.map((i) => [i.kind, i.live?.id])).toEqual([['delete', 'id-ours']]);
  });

  test('GIVEN a dropped name with no input of ours THEN prune deletes nothing and says why', () => {
    const plan = planPrune(manifest([]), ['orders_db'], [unmanaged('id-a'), unmanaged('id-b')]);
    expect(plan.inputs.map((i) => i.kind)).toEqual(['conflict']);
  });
});
