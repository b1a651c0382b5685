/**
 * One source, two builds (scripts/build-cdktn.js): the compiled cdktf build
 * (`alooma-cdktf`, lib/src) and the cdktn build (`alooma-cdktf/cdktn`,
 * lib/cdktn), each in an app of its own core, on Node 20 (synth needs no
 * CLI). `npm test` builds lib/ first (pretest).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const CDKTF_BUILD = path.join(ROOT, 'lib/src/constructs');
const CDKTN_BUILD = path.join(ROOT, 'lib/cdktn/src/constructs');
const RUNTIME_STUB = path.join(ROOT, 'test/constructs/fixtures/runtime-stub.js');

type Core = typeof import('cdktf');
type Build = typeof import('../../src/constructs');

function load(): { cdktf: Core; cdktn: Core; forCdktf: Build; forCdktn: Build } {
  for (const dir of [CDKTF_BUILD, CDKTN_BUILD]) {
    if (!fs.existsSync(path.join(dir, 'index.js')))
      throw new Error(`${dir} is missing: run "npm run build" (npm test does it first)`);
  }
  /* eslint-disable @typescript-eslint/no-require-imports -- the builds are loaded from lib/ by path, after npm run build */
  return {
    cdktf: require('cdktf') as Core,
    cdktn: require('cdktn') as Core,
    forCdktf: require(CDKTF_BUILD) as Build,
    forCdktn: require(CDKTN_BUILD) as Build,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The same stack, written once, synthesized with a core and the matching build. */
function synthesize(core: Core, build: Build): Record<string, any> {
  const app = core.Testing.app({ context: { 'alooma-cdktf:runtimeBundle': RUNTIME_STUB } });
  const stack = new core.TerraformStack(app, 'shop');
  // The provisioner engine: its manifest and runtime asset are what the builds could differ in.
  new build.AloomaConnection(stack, 'Alooma', {
    apiUrl: 'http://127.0.0.1:8787',
    engine: 'terraform_data',
  });
  const orders = new build.AloomaDatabaseInput(stack, 'Orders', {
    name: 'orders_db',
    source: {
      server: 'db.internal',
      port: 5432,
      database: 'shop',
      dbType: 'psql',
      user: 'reader',
      password: build.AloomaSecret.fromEnv('PG_PASSWORD'),
    },
    tables: { orders: 'xmin::text::bigint' },
  });
  orders.addTable('users', 'updated_at');
  new build.AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
  // The cores hash assets differently (cdktn's hash of the same file differs); the rest must match.
  const json = JSON.parse(
    core.Testing.synth(stack, true).replace(/(Runtime_[0-9A-F]+\/)[0-9A-F]{32}\//g, '$1<hash>/'),
  );
  delete json['//'];
  return {
    json,
    manifest: build.AloomaReconciler.of(stack).manifest(),
  };
}

describe('the cdktn build', () => {
  test('synthesizes what the cdktf build synthesizes, with every input in the manifest', () => {
    const { cdktf, cdktn, forCdktf, forCdktn } = load();
    const viaCdktn = synthesize(cdktn, forCdktn);
    const viaCdktf = synthesize(cdktf, forCdktf);
    expect(viaCdktn.manifest.inputs.map((i: { name: string }) => i.name)).toEqual([
      'hook',
      'orders_db',
    ]);
    expect(viaCdktn).toEqual(viaCdktf);
  });

  test('with the default engine (the provider, no connection) both builds synthesize the same provider resources', () => {
    const { cdktf, cdktn, forCdktf, forCdktn } = load();
    const providerStack = (core: Core, build: Build) => {
      const stack = new core.TerraformStack(core.Testing.app(), 'shop');
      new build.AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
      const json = JSON.parse(core.Testing.synth(stack));
      delete json['//'];
      return json;
    };
    const viaCdktn = providerStack(cdktn, forCdktn);
    expect(Object.keys(viaCdktn.resource)).toEqual(['alooma_input']);
    expect(viaCdktn).toEqual(providerStack(cdktf, forCdktf));
  });

  test('loads cdktn only, never cdktf', () => {
    const core = fs.readFileSync(path.join(CDKTN_BUILD, 'private/core.js'), 'utf8');
    expect(core).toMatch(/require\("cdktn"\)/);
    expect(core).not.toMatch(/require\("cdktf"\)/);
  });

  test.each([
    [
      'cdktf constructs in a cdktn stack',
      'cdktn',
      'forCdktf',
      /'alooma-cdktf', built for cdktf, but its stack is a cdktn\.TerraformStack.*Import the constructs from 'alooma-cdktf\/cdktn'.*\[wrong_cdk_core\]/,
    ],
    [
      'cdktn constructs in a cdktf stack',
      'cdktf',
      'forCdktn',
      /'alooma-cdktf\/cdktn', built for cdktn, but its stack is a cdktf\.TerraformStack.*Import the constructs from 'alooma-cdktf'.*\[wrong_cdk_core\]/,
    ],
  ] as const)('%s fail at once with the import to use', (_case, coreName, buildName, message) => {
    const loaded = load();
    const core = loaded[coreName];
    const build = loaded[buildName];
    const stack = new core.TerraformStack(core.Testing.app(), 'mixed');
    expect(() => new build.AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' })).toThrow(
      message,
    );
    expect(() => new build.AloomaConnection(stack, 'Alooma')).toThrow(/\[wrong_cdk_core\]/);
  });

  test('the null_resource engine says it exists for cdktf only', () => {
    const { cdktn, forCdktn } = load();
    const stack = new cdktn.TerraformStack(cdktn.Testing.app(), 'nulls');
    expect(
      () => new forCdktn.AloomaConnection(stack, 'Alooma', { engine: 'null_resource' }),
    ).toThrow(
      /no @cdktn\/provider-null.*Use the default engine "terraform_data" with cdktn.*\[engine_unavailable\]/,
    );
  });
});
