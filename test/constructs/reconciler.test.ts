import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaInput,
  AloomaReconciler,
  AloomaRestInput,
  AloomaSecret,
  RemovalPolicy,
} from '../../src/constructs';
import {
  defaultRuntimeBundle,
  RUNTIME_BUNDLE_CONTEXT_KEY,
} from '../../src/constructs/private/runtime-bundle';
import {
  filesUnder,
  manifestAsset,
  redactHashes,
  synthJson,
  terraformDataStack,
  testApp,
  testStack,
  validate,
} from './helpers';

const HOSTILE_NAME = 'x\'; rm -rf ~ "$(id)" `id` ${path.module} %{ if true }y%{ endif }';

function database(
  stack: TerraformStack,
  id: string,
  name: string,
  overrides: Record<string, unknown> = {},
) {
  return new AloomaDatabaseInput(stack, id, {
    name,
    source: {
      server: 'db.internal',
      port: 5432,
      database: 'shop',
      dbType: 'psql',
      user: 'reader',
      password: AloomaSecret.fromEnv('PG_PASSWORD'),
    },
    tables: { orders: 'xmin::text::bigint' },
    ...overrides,
  });
}

/** Every provisioner command of a synthesized config. */
function commands(json: {
  resource: Record<string, Record<string, Record<string, any>>>;
}): string[] {
  return Object.values(json.resource)
    .flatMap((byId) => Object.values(byId))
    .flatMap((resource) => (resource.provisioner ?? []) as Record<string, { command: string }>[])
    .map((p) => p['local-exec'].command);
}

describe('AloomaReconciler', () => {
  test('synthesizes one reconciler per stack: digest and deletable names as triggers, apply on create, prune on destroy', () => {
    const json = JSON.parse(
      redactHashes(
        Testing.synth(
          (() => {
            const stack = terraformDataStack();
            new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
            database(stack, 'Orders', 'orders_db');
            return stack;
          })(),
        ),
      ),
    );
    const reconciler = json.resource.terraform_data.AloomaReconciler;

    expect({
      ...reconciler,
      '//': undefined,
      triggers_replace: { ...reconciler.triggers_replace, digest: '<digest>' },
    }).toMatchInlineSnapshot(`
{
  "//": undefined,
  "depends_on": [
    "terraform_data.Hook",
    "terraform_data.Orders",
  ],
  "provisioner": [
    {
      "local-exec": {
        "command": "node assets/AloomaReconciler_Runtime_73F2F938/<hash>/runtime-stub.js apply --manifest assets/AloomaReconciler_Manifest_CFACD51D/v1/manifest.json",
      },
    },
    {
      "local-exec": {
        "command": "node assets/AloomaReconciler_Runtime_73F2F938/<hash>/runtime-stub.js prune --manifest assets/AloomaReconciler_Manifest_CFACD51D/v1/manifest.json",
        "environment": {
          "ALOOMA_CDKTF_PREVIOUS_NAMES": "\${jsonencode(self.triggers_replace.names)}",
        },
        "when": "destroy",
      },
    },
  ],
  "triggers_replace": {
    "digest": "<digest>",
    "names": [
      "hook",
      "orders_db",
    ],
  },
}
`);
    expect(reconciler.triggers_replace.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  test('is a singleton per stack, found by id', () => {
    const stack = terraformDataStack();
    new AloomaInput(stack, 'A', { name: 'a', type: 'RESTAPI' });
    new AloomaInput(stack, 'B', { name: 'b', type: 'RESTAPI' });

    expect(AloomaReconciler.of(stack)).toBe(stack.node.findChild(AloomaReconciler.ID));
    expect(stack.node.children.filter(AloomaReconciler.isAloomaReconciler)).toHaveLength(1);
    expect(AloomaReconciler.of(stack).inputs.map((i) => i.inputName)).toEqual(['a', 'b']);
  });

  test('depends on every input resource, whichever stack scope they are nested in', () => {
    const json = synthJson((stack) => {
      for (let i = 0; i < 5; i++)
        new AloomaInput(stack, `Hook${i}`, { name: `hook_${i}`, type: 'RESTAPI' });
    }, 'terraform_data');

    expect(json.resource.terraform_data.AloomaReconciler.depends_on).toEqual(
      [0, 1, 2, 3, 4].map((i) => `terraform_data.Hook${i}`),
    );
  });

  test('RETAIN inputs are in the manifest but not among the names the stack may delete', () => {
    const stack = terraformDataStack();
    new AloomaInput(stack, 'Kept', {
      name: 'kept',
      type: 'RESTAPI',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new AloomaInput(stack, 'Gone', { name: 'gone', type: 'RESTAPI' });
    const json = JSON.parse(Testing.synth(stack));

    expect(json.resource.terraform_data.AloomaReconciler.triggers_replace.names).toEqual(['gone']);
    expect(json.resource.terraform_data.Kept.provisioner).toBeUndefined();
    expect(
      AloomaReconciler.of(stack)
        .manifest()
        .inputs.map((i) => [i.name, i.removalPolicy]),
    ).toEqual([
      ['gone', 'destroy'],
      ['kept', 'retain'],
    ]);
  });

  test('a table added later changes the digest but not the names: the reconciler re-applies, nothing is deleted', () => {
    const render = (extra: boolean) =>
      synthJson((stack) => {
        const input = database(stack, 'Orders', 'orders_db');
        if (extra) input.addTable('items', 'updated_at');
      }, 'terraform_data').resource.terraform_data.AloomaReconciler.triggers_replace;

    expect(render(true).digest).not.toBe(render(false).digest);
    expect(render(true).names).toEqual(render(false).names);
  });

  test('commands contain only asset paths and subcommands, never a user string', () => {
    const json = synthJson((stack) => {
      new AloomaInput(stack, 'Hostile', {
        name: HOSTILE_NAME,
        type: 'RESTAPI',
        configuration: { note: HOSTILE_NAME },
      });
      database(stack, 'Orders', 'orders_db', { tables: { [HOSTILE_NAME]: 'id' } });
    }, 'terraform_data');
    const all = commands(json);

    expect(all).toHaveLength(4);
    for (const command of all) {
      expect(command).toMatch(
        /^node assets\/[A-Za-z0-9_./-]+ (apply|prune|delete) --manifest assets\/[A-Za-z0-9_./-]+$/,
      );
    }
  });

  test('user strings are escaped for Terraform templates in triggers and input', () => {
    const json = synthJson((stack) => {
      new AloomaInput(stack, 'Hostile', {
        name: HOSTILE_NAME,
        type: 'RESTAPI',
        configuration: { [`k\${x}`]: '%{y}' },
      });
    }, 'terraform_data');
    const hostile = json.resource.terraform_data.Hostile;

    expect(hostile.triggers_replace.name).toBe(
      'x\'; rm -rf ~ "$(id)" `id` $${path.module} %%{ if true }y%%{ endif }',
    );
    expect(hostile.input.configuration).toEqual({ auto_map: true, 'k$${x}': '%%{y}' });
    expect(json.resource.terraform_data.AloomaReconciler.triggers_replace.names).toEqual([
      hostile.triggers_replace.name,
    ]);
  });

  test('Terraform reads the escaped strings back as the literal user strings', () => {
    const app = testApp();
    const stack = terraformDataStack('hostile', app);
    new AloomaInput(stack, 'Hostile', {
      name: HOSTILE_NAME,
      type: 'RESTAPI',
      configuration: { [`k\${x}`]: '%{y}' },
    });
    app.synth();
    const dir = path.join(app.outdir, 'stacks', 'hostile');
    const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };
    execFileSync('terraform', ['init', '-input=false'], { cwd: dir, env, stdio: 'pipe' });
    execFileSync('terraform', ['plan', '-input=false', '-lock=false', '-out=plan.bin'], {
      cwd: dir,
      env,
      stdio: 'pipe',
    });
    const plan = JSON.parse(
      execFileSync('terraform', ['show', '-json', 'plan.bin'], { cwd: dir, env }).toString(),
    );
    const planned = Object.fromEntries(
      plan.planned_values.root_module.resources.map((r: { name: string; values: unknown }) => [
        r.name,
        r.values,
      ]),
    );

    expect(planned.Hostile.triggers_replace.name).toBe(HOSTILE_NAME);
    expect(planned.Hostile.input.configuration).toEqual({ auto_map: true, 'k${x}': '%{y}' });
    expect(planned.AloomaReconciler.triggers_replace.names).toEqual([HOSTILE_NAME]);
  }, 60_000);

  test('the manifest is byte-identical across synths and independent of declaration order', () => {
    const synthOnce = (reverse: boolean) => {
      const app = testApp();
      const stack = terraformDataStack('shop', app);
      const build = [
        () => database(stack, 'Orders', 'orders_db').addTable('users', 'updated_at'),
        () => new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' }),
        () =>
          new AloomaRestInput(stack, 'Api', {
            name: 'api',
            baseUrl: 'https://api.example',
          }).addParameter({ parameter: 'p', value: 1 }),
      ];
      for (const step of reverse ? build.reverse() : build) step();
      app.synth();
      return fs.readFileSync(manifestAsset(app.outdir, 'shop'));
    };

    const first = synthOnce(false);
    expect(synthOnce(false).equals(first)).toBe(true);
    expect(synthOnce(true).equals(first)).toBe(true);
    expect(JSON.parse(first.toString()).inputs.map((i: { name: string }) => i.name)).toEqual([
      'api',
      'hook',
      'orders_db',
    ]);
  });

  test('the manifest asset is the final manifest, including tables added after construction', () => {
    const app = testApp();
    const stack = terraformDataStack('shop', app);
    const input = database(stack, 'Orders', 'orders_db');
    input.addTable('late', 'updated_at');
    app.synth();
    const manifest = JSON.parse(fs.readFileSync(manifestAsset(app.outdir, 'shop'), 'utf8'));

    expect(manifest.inputs[0].configuration.tables).toEqual({
      late: 'updated_at',
      orders: 'xmin::text::bigint',
    });
    expect(fs.readFileSync(manifestAsset(app.outdir, 'shop'), 'utf8')).toBe(
      AloomaReconciler.of(stack).manifestJson(),
    );
    const tf = JSON.parse(
      fs.readFileSync(path.join(app.outdir, 'stacks', 'shop', 'cdk.tf.json'), 'utf8'),
    );
    expect(tf.resource.terraform_data.AloomaReconciler.triggers_replace.digest).toBe(
      AloomaReconciler.of(stack).digest(),
    );
  });

  test('secret values never reach cdktf.out, the manifest or the plan input, only variable names', () => {
    const secrets = {
      PG_PASSWORD: 'pg-Distinctive-Secret-4711',
      ALOOMA_PASSWORD: 'alooma-Distinctive-Secret-4712',
      ALOOMA_API_KEY: 'apikey-Distinctive-Secret-4713',
      SESSION_TOKEN: 'session-Distinctive-Secret-4714',
    };
    Object.assign(process.env, secrets);
    try {
      const app = testApp();
      const stack = new TerraformStack(app, 'shop');
      new AloomaConnection(stack, 'Alooma', {
        apiUrl: 'https://app.alooma.com',
        engine: 'terraform_data',
      });
      database(stack, 'Orders', 'orders_db');
      new AloomaRestInput(stack, 'Api', {
        name: 'api',
        baseUrl: 'https://api.example',
      }).addParameter({
        parameter: 'session_id',
        secretValue: AloomaSecret.fromEnv('SESSION_TOKEN'),
      });
      app.synth();

      const files = filesUnder(app.outdir);
      expect(files.length).toBeGreaterThan(3);
      for (const file of files) {
        const content = fs.readFileSync(file, 'utf8');
        for (const value of Object.values(secrets)) expect(content).not.toContain(value);
      }
      expect(fs.readFileSync(manifestAsset(app.outdir, 'shop'), 'utf8')).toContain(
        '"env": "PG_PASSWORD"',
      );
    } finally {
      for (const key of Object.keys(secrets)) delete process.env[key];
    }
  });

  test('input names must be unique across the app, naming both construct paths', () => {
    const app = testApp();
    new AloomaInput(new TerraformStack(app, 'one'), 'Hook', { name: 'events', type: 'RESTAPI' });
    new AloomaInput(new TerraformStack(app, 'two'), 'OtherHook', {
      name: 'events',
      type: 'RESTAPI',
    });

    expect(() => app.synth()).toThrow(
      /one\/Hook: input name "events" is also used by two\/OtherHook.*rename one of them \[duplicate_input_name\]/,
    );
  });

  test('duplicate names in one stack fail validation too', () => {
    const stack = testStack();
    new AloomaInput(stack, 'A', { name: 'events', type: 'RESTAPI' });
    new AloomaInput(stack, 'B', { name: 'events', type: 'ZENDESK' });

    expect(() => validate(stack)).toThrow(/stack\/A: input name "events" is also used by stack\/B/);
  });

  describe('terraform version check', () => {
    let dir: string;
    let log: string;
    const binary = (version: string) => {
      const file = path.join(dir, `terraform-${version}`);
      fs.writeFileSync(file, `#!/bin/sh\necho call >> "${log}"\necho "Terraform v${version}"\n`, {
        mode: 0o755,
      });
      return file;
    };
    const previous = process.env.TERRAFORM_BINARY_NAME;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-tf-'));
      log = path.join(dir, 'calls.log');
    });
    afterEach(() => {
      if (previous === undefined) delete process.env.TERRAFORM_BINARY_NAME;
      else process.env.TERRAFORM_BINARY_NAME = previous;
    });

    test('runs once per process, not once per resource', () => {
      process.env.TERRAFORM_BINARY_NAME = binary('1.11.0');
      const app = testApp();
      for (const name of ['one', 'two']) {
        const stack = terraformDataStack(name, app);
        for (let i = 0; i < 30; i++)
          new AloomaInput(stack, `Hook${i}`, { name: `${name}_${i}`, type: 'RESTAPI' });
      }
      app.synth();

      expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
    });

    test('a Terraform older than 1.4 fails validation', () => {
      process.env.TERRAFORM_BINARY_NAME = binary('1.3.9');
      const stack = terraformDataStack();
      new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });

      expect(() => validate(stack)).toThrow(
        /terraform-1.3.9 1.3.9 is older than 1.4.0.*\[terraform_version\]/,
      );
    });

    test("the user's own validations still run", () => {
      process.env.TERRAFORM_BINARY_NAME = binary('1.11.0');
      const stack = terraformDataStack();
      new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
      stack.node.addValidation({ validate: () => ['my own rule failed'] });

      expect(() => validate(stack)).toThrow(/my own rule failed/);
    });
  });

  describe('runtime bundle', () => {
    test('resolves from the package root to dist/runtime.js', () => {
      expect(defaultRuntimeBundle()).toBe(path.resolve(__dirname, '../../dist/runtime.js'));
    });

    test('a missing bundle is a clear error', () => {
      const app = Testing.app({
        context: { [RUNTIME_BUNDLE_CONTEXT_KEY]: '/nonexistent/runtime.js' },
      });
      const stack = new TerraformStack(app, 'stack');

      expect(() => new AloomaConnection(stack, 'Alooma', { engine: 'terraform_data' })).toThrow(
        /stack\/AloomaReconciler: the runtime bundle \/nonexistent\/runtime.js does not exist.*npm run bundle.*\[runtime_bundle_missing\]/,
      );
    });
  });

  test('a stack of the default engine (the provider) has none, and asking for one says how to get it', () => {
    const stack = testStack();
    new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });

    expect(stack.node.tryFindChild(AloomaReconciler.ID)).toBeUndefined();
    expect(() => AloomaReconciler.of(stack)).toThrow(
      /stack: engine "provider": the stack has no reconciler.*engine: 'terraform_data'.*\[engine_unavailable\]/,
    );
  });

  test('its id is reserved in every stack', () => {
    const stack = testStack();
    new Construct(stack, AloomaReconciler.ID);

    expect(() => new AloomaConnection(stack, 'Alooma', { engine: 'terraform_data' })).toThrow(
      /stack\/AloomaReconciler: the construct id "AloomaReconciler" is reserved.*\[invalid_scope\]/,
    );
  });
});
