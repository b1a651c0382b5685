/**
 * The constructs' side of the live report (src/constructs/private/live-diff.ts):
 * what a `provider` stack sends the runtime (its inputs by resource address,
 * the Alooma resources of its local state), and what the constructs do with
 * the answer: annotations on the provider block, and a precondition on each
 * resource whose apply would fail (a conflict, a missing secret), so the plan
 * stops and destroy does not. The runtime here is a stand-in that records its
 * stdin and prints a canned answer: the runtime's own side is
 * test/runtime/reconcile/provider-report.test.ts and the e2e test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalBackend, S3Backend, TerraformStack, Testing } from 'cdktf';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaInput,
  AloomaSecret,
} from '../../src/constructs';
import { RUNTIME_BUNDLE_CONTEXT_KEY } from '../../src/constructs/private/runtime-bundle';
import { PROVIDER_SOURCE } from '../../src/provider/install';
import type { LiveDiffAnswer, LiveDiffStack } from '../../src/runtime/protocol';
import { liveDiff } from '../../src/runtime/cli/live-diff-command';

let dir: string;
let saved: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-live-report-'));
  saved = { ...process.env };
  process.env.ALOOMA_API_KEY = 'demo-key';
  delete process.env.ALOOMA_LIVE_DIFF;
  process.env.STUB_RECORD = path.join(dir, 'stdin.json');
});
afterEach(() => {
  process.env = saved;
});

/** A runtime stand-in: records stdin, prints `answer`. */
function stubRuntime(answer: LiveDiffAnswer): string {
  const file = path.join(dir, 'runtime.js');
  fs.writeFileSync(
    file,
    `const fs = require('fs');
fs.writeFileSync(process.env.STUB_RECORD, fs.readFileSync(0, 'utf8'));
process.stdout.write(${JSON.stringify(JSON.stringify(answer))});`,
  );
  return file;
}

function appWith(runtime: string) {
  return Testing.app({ context: { [RUNTIME_BUNDLE_CONTEXT_KEY]: runtime } });
}

function providerStack(runtime: string, backend?: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(appWith(runtime), 'prov');
  backend?.(stack);
  new AloomaConnection(stack, 'Alooma', { engine: 'provider', apiUrl: 'http://127.0.0.1:9' });
  new AloomaInput(stack, 'Hook', { name: 'hook', type: 'RESTAPI' });
  new AloomaInput(stack, 'Taken', { name: 'taken', type: 'RESTAPI' });
  return stack;
}

function synthesized(stack: TerraformStack) {
  const outdir = Testing.fullSynth(stack);
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const config = JSON.parse(
    fs.readFileSync(path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'),
  );
  const annotations = (
    manifest.stacks[stack.node.id].annotations as Array<Record<string, string>>
  ).map(({ level, constructPath, message }) => ({ level, constructPath, message }));
  return { config, annotations };
}

const recorded = (): LiveDiffStack[] =>
  JSON.parse(fs.readFileSync(process.env.STUB_RECORD!, 'utf8'));

const state = (resources: unknown[]) => JSON.stringify({ version: 4, resources });

describe('a provider stack in the live report', () => {
  test("GIVEN a local state WHEN synthesized THEN the request has the inputs by address and the state's Alooma resources only", () => {
    const runtime = stubRuntime({ ok: true, stacks: {}, structureReads: 1 });
    const statePath = path.join(dir, 'prov.tfstate');
    fs.writeFileSync(
      statePath,
      state([
        {
          mode: 'managed',
          type: 'alooma_input',
          name: 'Hook',
          provider: `provider["${PROVIDER_SOURCE}"]`,
          instances: [{ attributes: { id: 'a1', name: 'hook', retain_on_delete: false } }],
        },
        {
          mode: 'managed',
          type: 'alooma_input',
          name: 'Kept',
          provider: `provider["${PROVIDER_SOURCE}"]`,
          instances: [{ attributes: { id: 'k1', name: 'kept', retain_on_delete: true } }],
        },
        {
          mode: 'managed',
          type: 'terraform_data',
          name: 'Other',
          provider: 'provider["terraform.io/builtin/terraform"]',
          instances: [{ attributes: { id: 'x', input: 'not ours' } }],
        },
      ]),
    );
    synthesized(providerStack(runtime, (s) => new LocalBackend(s, { path: statePath })));
    expect(recorded()).toEqual([
      {
        engine: 'provider',
        owner: 'prov',
        connection: { apiUrl: 'http://127.0.0.1:9' },
        inputs: [
          { name: 'hook', type: 'RESTAPI', address: 'alooma_input.Hook' },
          { name: 'taken', type: 'RESTAPI', address: 'alooma_input.Taken' },
        ],
        state: [
          { address: 'alooma_input.Hook', id: 'a1', name: 'hook', retain: false },
          { address: 'alooma_input.Kept', id: 'k1', name: 'kept', retain: true },
        ],
      },
    ]);
  });

  test('GIVEN a state of the terraform_data engine WHEN synthesized THEN the inputs its moved {} blocks carry over are moving, not created', () => {
    const runtime = stubRuntime({ ok: true, stacks: {}, structureReads: 1 });
    const statePath = path.join(dir, 'moved.tfstate');
    fs.writeFileSync(
      statePath,
      state([
        {
          mode: 'managed',
          type: 'terraform_data',
          name: 'Hook',
          provider: 'provider["terraform.io/builtin/terraform"]',
          instances: [{ attributes: { id: 'uuid-1' } }],
        },
      ]),
    );
    synthesized(providerStack(runtime, (s) => new LocalBackend(s, { path: statePath })));
    expect(recorded()[0]).toMatchObject({ state: [], moving: ['alooma_input.Hook'] });
  });

  test('GIVEN no state file yet WHEN synthesized THEN the state is empty (every input a create)', () => {
    const runtime = stubRuntime({ ok: true, stacks: {}, structureReads: 1 });
    const statePath = path.join(dir, 'none.tfstate');
    synthesized(providerStack(runtime, (s) => new LocalBackend(s, { path: statePath })));
    expect(recorded()[0]).toMatchObject({ state: [] });
  });

  test('GIVEN a remote backend WHEN synthesized THEN the request says the state is not read', () => {
    const runtime = stubRuntime({ ok: true, stacks: {}, structureReads: 0 });
    synthesized(
      providerStack(
        runtime,
        (s) => new S3Backend(s, { bucket: 'b', key: 'k', region: 'eu-west-1' }),
      ),
    );
    const [request] = recorded();
    expect(request).not.toHaveProperty('state');
    expect(request).toMatchObject({
      stateUnread: `the stack's state is in a "s3" backend, which synth does not read`,
    });
  });

  test('GIVEN an answer with a conflict WHEN synthesized THEN a warning on the provider block and a precondition on that resource only', () => {
    const message =
      'alooma (prov): taken (alooma_input.Taken): the planned create fails with conflict ${x}';
    const runtime = stubRuntime({
      ok: true,
      structureReads: 1,
      stacks: {
        prov: {
          token: '',
          lines: [
            "alooma (prov): live Alooma vs the code and the state, what Terraform's plan does not show:",
            `  ${message}`,
          ],
          inSync: false,
          missingSecrets: [],
          level: 'warn',
          blocked: [{ address: 'alooma_input.Taken', message }],
        },
      },
    });
    const { config, annotations } = synthesized(
      providerStack(runtime, (s) => new LocalBackend(s, { path: path.join(dir, 's.tfstate') })),
    );
    expect(annotations).toEqual([
      {
        level: '@cdktf/warn',
        constructPath: 'prov/AloomaProvider',
        message: expect.stringContaining('the planned create fails with conflict'),
      },
    ]);
    expect(config.resource.alooma_input.Taken.lifecycle).toEqual({
      precondition: [
        {
          condition: '${terraform.workspace == ""}',
          // a message is text, never a template
          error_message: message.replace('${x}', () => '$${x}'),
        },
      ],
    });
    expect(config.resource.alooma_input.Hook.lifecycle).toBeUndefined();
  });

  test('GIVEN an answer of adoptions only WHEN synthesized THEN an info line and no precondition', () => {
    const runtime = stubRuntime({
      ok: true,
      structureReads: 1,
      stacks: {
        prov: {
          token: '',
          lines: [
            'alooma (prov): ...',
            '  hook (alooma_input.Hook): the planned create adopts ... id a1',
          ],
          inSync: false,
          missingSecrets: [],
          level: 'info',
          blocked: [],
        },
      },
    });
    const { config, annotations } = synthesized(
      providerStack(runtime, (s) => new LocalBackend(s, { path: path.join(dir, 's.tfstate') })),
    );
    expect(annotations.map((a) => a.level)).toEqual(['@cdktf/info']);
    expect(config.resource.alooma_input.Hook.lifecycle).toBeUndefined();
  });

  test('GIVEN ALOOMA_LIVE_DIFF=off WHEN synthesized THEN no runtime runs and no annotation', () => {
    process.env.ALOOMA_LIVE_DIFF = 'off';
    const runtime = stubRuntime({ ok: true, stacks: {}, structureReads: 1 });
    const { annotations } = synthesized(providerStack(runtime));
    expect(fs.existsSync(process.env.STUB_RECORD!)).toBe(false);
    expect(annotations).toEqual([]);
  });
});

describe('a provisioner stack in the live report', () => {
  test('GIVEN a missing secret WHEN synthesized THEN a warning (not an error: destroy must run) and a precondition on the reconciler', () => {
    const runtime = stubRuntime({
      ok: true,
      structureReads: 1,
      stacks: {
        shop: {
          token: 'abc',
          lines: [
            'alooma (shop): 1 of 1 input(s) differ from live Alooma (the next deploy applies them):',
          ],
          inSync: false,
          missingSecrets: [{ input: 'orders_db', path: 'password', env: 'PG_PW' }],
        },
      },
    });
    const stack = new TerraformStack(appWith(runtime), 'shop');
    new AloomaConnection(stack, 'Alooma', {
      engine: 'terraform_data',
      apiUrl: 'http://127.0.0.1:9',
    });
    new AloomaDatabaseInput(stack, 'Orders', {
      name: 'orders_db',
      source: {
        server: 'db',
        port: 5432,
        database: 'shop',
        dbType: 'psql',
        user: 'u',
        password: AloomaSecret.fromEnv('PG_PW'),
      },
      tables: { orders: 'xmin::text::bigint' },
    });
    const { config, annotations } = synthesized(stack);
    expect(annotations.map((a) => [a.level, a.constructPath])).toEqual([
      ['@cdktf/warn', 'shop/AloomaReconciler'],
      ['@cdktf/warn', 'shop/AloomaReconciler'],
    ]);
    const text =
      'alooma (shop): the next deploy writes a secret whose variable is not set: PG_PW (input "orders_db", password). ' +
      "The deploy would fail, so Terraform's plan stops before any write (cdktf destroy still works): export PG_PW where cdktf diff and cdktf deploy run.";
    expect(annotations[1].message).toBe(text);
    expect(config.resource.terraform_data.AloomaReconciler.lifecycle.precondition).toEqual([
      { condition: '${terraform.workspace == ""}', error_message: text },
    ]);
    expect(config.resource.terraform_data.Orders.lifecycle?.precondition).toBeUndefined();
  });
});

describe('liveDiff (runtime) with a provider stack whose state synth cannot read', () => {
  test('GIVEN no state WHEN run THEN the stack is skipped with the reason, and Alooma is not read', async () => {
    const answer = await liveDiff(
      [
        {
          engine: 'provider',
          owner: 'prov',
          // nothing listens here: a read would fail the whole answer
          connection: { apiUrl: 'http://127.0.0.1:9' },
          inputs: [{ name: 'hook', type: 'RESTAPI', address: 'alooma_input.Hook' }],
          stateUnread: 'the stack\'s state is in a "s3" backend, which synth does not read',
        },
      ],
      { ALOOMA_API_KEY: 'demo-key' },
      1000,
    );
    expect(answer).toEqual({
      ok: true,
      structureReads: 0,
      stacks: {
        prov: {
          token: '',
          lines: [
            'alooma (prov): live diff skipped: the stack\'s state is in a "s3" backend, which synth does not read, ' +
              "so adoptions, conflicts and orphans are not reported (Terraform's plan shows drift).",
          ],
          inSync: true,
          missingSecrets: [],
        },
      },
    });
  });
});
