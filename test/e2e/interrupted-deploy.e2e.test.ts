/**
 * A deploy that fails half way (the API goes down mid-apply) leaves nothing
 * half-applied that a re-run cannot finish: the next deploy converges with
 * every input exactly once.
 */
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs } from '../helpers/runtime-cli';
import { CDKTF_MODULE, CONSTRUCTS_MODULE, createCdktfApp } from '../helpers/cdktf-app';
import { terraform, terraformAsync, terraformOk } from '../helpers/terraform';

jest.setTimeout(300_000);

const COUNT = 20;
let emulator: EmulatorProcess;
afterAll(async () => emulator?.stop());

test('GIVEN the API dies mid-deploy WHEN the deploy is re-run THEN it converges, each input exactly once', async () => {
  emulator = await startEmulatorProcess({ faults: { latencyMs: 150 } });
  const { port, dataDir } = emulator;
  const env = {
    ALOOMA_API_URL: emulator.url,
    ALOOMA_API_KEY: 'demo-key',
    HALF_PG_PASSWORD: 'Half-Pw-1',
  };

  const app = createCdktfApp('alooma-half-');
  app.write({
    'main.ts': `
import { App, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaDatabaseInput, AloomaSecret } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'half');
new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(emulator.url)}, concurrency: 2, engine: 'terraform_data' });
for (let i = 0; i < ${COUNT}; i++) {
  new AloomaDatabaseInput(stack, 'Db' + i, {
    name: 'half_db_' + i,
    source: { server: 'db', port: 5432, database: 'shop', dbType: 'psql', user: 'u', password: AloomaSecret.fromEnv('HALF_PG_PASSWORD') },
    tables: { orders: 'xmin::text::bigint', ['t' + i]: 'id' },
  });
}
app.synth();
`,
  });
  expect(app.cdktf(['synth'], env).code).toBe(0);
  const dir = app.stackDir('half');
  terraformOk(dir, ['init', '-input=false', '-no-color']);

  // WHEN the API goes down after a few creates
  const apply = terraformAsync(dir, ['apply', '-auto-approve', '-input=false', '-no-color'], env);
  const killer = (async () => {
    for (let i = 0; i < 200; i++) {
      const created =
        (await emulator.stats().catch(() => ({}) as Record<string, number>))[
          'POST plumbing/inputs'
        ] ?? 0;
      if (created >= 4) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await emulator.kill();
  })();
  const first = await apply;
  await killer;
  expect(first.code).not.toBe(0);
  expect(first.output).toMatch(/error\[(network|server)\]/);

  // THEN a re-run against the restarted API converges
  emulator = await startEmulatorProcess({ port, dataDir });
  const partial = (await liveInputs(emulator.url)).length;
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(COUNT);
  const second = terraformOk(dir, ['apply', '-auto-approve', '-input=false', '-no-color'], env);
  expect(second.output).toMatch(new RegExp(`${COUNT - partial} created, 0 updated`));
  const live = await liveInputs(emulator.url);
  const names = live.map((n) => n.name).sort();
  expect(names).toEqual(Array.from({ length: COUNT }, (_, i) => `half_db_${i}`).sort());
  expect(new Set(names).size).toBe(COUNT);
  for (const node of live)
    expect(Object.keys(JSON.parse(node.configuration.tables))).toHaveLength(2);
  const plan = terraform(dir, ['plan', '-detailed-exitcode', '-input=false', '-no-color'], env);
  expect(plan.code).toBe(0);
});
