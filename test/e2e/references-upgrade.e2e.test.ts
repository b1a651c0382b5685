/**
 * A stack deployed with literal values, then switched to Terraform references
 * (the input's server and the connection's URL): the previous reconciler's
 * destroy step reads triggers that hold no references at all and must still
 * run; the input is updated in place; destroy works with the URL from
 * Terraform. Real cdktf CLI, terraform and emulator process.
 */
import { CDKTF_MODULE, CONSTRUCTS_MODULE, CdktfApp, createCdktfApp } from '../helpers/cdktf-app';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs } from '../helpers/runtime-cli';

jest.setTimeout(300_000);

let emulator: EmulatorProcess;
let app: CdktfApp;

function mainTs(withReferences: boolean): string {
  return `
import { App, TerraformStack, TerraformVariable } from ${JSON.stringify(CDKTF_MODULE)};
import { AloomaConnection, AloomaInput } from ${JSON.stringify(CONSTRUCTS_MODULE)};
const app = new App();
const stack = new TerraformStack(app, 'upgraded');
${
  withReferences
    ? `const url = new TerraformVariable(stack, 'alooma_url', { type: 'string' });
const bucket = new TerraformVariable(stack, 'bucket', { type: 'string' });
new AloomaConnection(stack, 'Alooma', { apiUrl: url.stringValue, engine: 'terraform_data' });
new AloomaInput(stack, 'Clicks', { name: 'clicks', type: 'S3', configuration: { awsBucketName: bucket.stringValue } });`
    : `new AloomaConnection(stack, 'Alooma', { apiUrl: ${JSON.stringify(emulator.url)}, engine: 'terraform_data' });
new AloomaInput(stack, 'Clicks', { name: 'clicks', type: 'S3', configuration: { awsBucketName: 'clicks-v1' } });`
}
app.synth();
`;
}

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  app = createCdktfApp('alooma-upgrade-');
});
afterAll(async () => emulator?.stop());

test('switching literals to references updates in place; the old destroy step still runs', async () => {
  const env = {
    ALOOMA_API_KEY: 'demo-key',
    TF_VAR_alooma_url: emulator.url,
    TF_VAR_bucket: 'clicks-v2',
  };
  app.write({ 'main.ts': mainTs(false) });
  expect(app.cdktf(['deploy', '--auto-approve'], env).code).toBe(0);
  const before = (await liveInputs(emulator.url)).find((n) => n.name === 'clicks')!;
  expect(before.configuration.awsBucketName).toBe('clicks-v1');

  app.write({ 'main.ts': mainTs(true) });
  const deploy = app.cdktf(['deploy', '--auto-approve'], env);
  expect({ code: deploy.code, output: deploy.output.slice(-2000) }).toEqual({
    code: 0,
    output: expect.stringMatching(/Apply complete \(upgraded\): 0 created, 1 updated/),
  });
  expect(deploy.output).toMatch(/Prune: nothing to delete/);
  const after = (await liveInputs(emulator.url)).find((n) => n.name === 'clicks')!;
  expect(after.id).toBe(before.id);
  expect(after.configuration.awsBucketName).toBe('clicks-v2');

  const destroy = app.cdktf(['destroy', '--auto-approve'], env);
  expect(destroy.code).toBe(0);
  expect((await liveInputs(emulator.url)).map((n) => n.name)).toEqual([]);
});
