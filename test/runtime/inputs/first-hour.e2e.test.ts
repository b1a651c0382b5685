/**
 * What a new user of `alooma-cdktf inputs` met in the first hour (issue 17),
 * each against a real emulator process through the bundled CLI: a view of
 * one input shows its configuration; a dry run says how to write; the
 * history of a deleted input is reached by name and by id; the "is the API
 * reachable" hint names the port; the system input every account has says
 * what it is.
 */
import { EmulatorProcess, startEmulatorProcess } from '../../helpers/emulator-process';
import { createRawInput, liveInputs, runCli, writeCount } from '../../helpers/runtime-cli';
import { loadSamples, SAMPLE_SECRETS } from '../../helpers/samples';

let emulator: EmulatorProcess;
const env = () => ({ ALOOMA_API_URL: emulator.url, ALOOMA_API_KEY: 'demo-key' });

beforeAll(async () => {
  emulator = await startEmulatorProcess();
  await loadSamples(emulator.url);
});
afterAll(async () => emulator?.stop());

describe('inputs view NAME', () => {
  test('GIVEN no --format WHEN one input is viewed THEN its configuration is shown, secrets masked', () => {
    const view = runCli(['inputs', 'view', 'clickstream_s3'], env());
    expect(view.code).toBe(0);
    expect(view.stdout).toMatch(/^clickstream_s3 +S3 +LIVE/m);
    expect(view.stdout).toMatch(/^field +value$/m);
    expect(view.stdout).toMatch(/^awsBucketName +clickstream$/m);
    expect(view.stdout).toMatch(/^filePrefix +events\/$/m);
    expect(view.stdout).toMatch(/^fileFormat +\{"type":"json"\}$/m);
    expect(view.stdout).toMatch(/^awsSecretAccessKey +\*+$/m);
    expect(view.stdout).not.toContain(SAMPLE_SECRETS.awsSecretAccessKey);
  });

  test('GIVEN an input a stack manages THEN the view names the stack instead of printing the marker', async () => {
    await createRawInput(emulator.url, {
      name: 'owned_hook',
      type: 'RESTAPI',
      configuration: { auto_map: true, alooma_cdktf: { owner: 'shop' } },
    });
    const view = runCli(['inputs', 'view', 'owned_hook'], env());
    expect(view.stdout).toMatch(/^managed by the stack "shop" \(alooma-cdktf\)$/m);
    expect(view.stdout).not.toMatch(/alooma_cdktf/);
  });

  test('GIVEN no name THEN the table of all inputs has no configuration', () => {
    const view = runCli(['inputs', 'view'], env());
    expect(view.stdout).toMatch(/^name +type +state +tables +id$/m);
    expect(view.stdout).not.toMatch(/^field +value$/m);
  });
});

describe('dry runs say how to write', () => {
  test.each([
    [
      ['pause', 'orders_db'],
      'Dry run: would pause input "orders_db"; nothing written (add --apply to write it).',
    ],
    [
      ['edit', 'orders_db', 'batch_size', '7'],
      'Dry run: would write these changes to "orders_db"; nothing written (add --apply to write it).',
    ],
    [
      ['delete', 'webhook_events'],
      /^Dry run: would delete input "webhook_events" \(RESTAPI, id [^)]+\); nothing written \(add --apply --yes to delete it\)\.$/m,
    ],
  ])(
    'GIVEN inputs %j without --apply THEN it writes nothing and says what writes it',
    async (args, line) => {
      await emulator.resetStats();
      const dry = runCli(['inputs', ...args], env());
      expect(dry.code).toBe(0);
      if (typeof line === 'string') expect(dry.stdout.split('\n')).toContain(line);
      else expect(dry.stdout).toMatch(line);
      expect(writeCount(await emulator.stats())).toBe(0);
    },
  );
});

describe('inputs history of a deleted input', () => {
  test('GIVEN an input that was deleted THEN its history is found by name and by id', async () => {
    await createRawInput(emulator.url, {
      name: 'short_lived',
      type: 'RESTAPI',
      configuration: { auto_map: true },
    });
    const id = (await liveInputs(emulator.url)).find((n) => n.name === 'short_lived')!.id as string;
    expect(runCli(['inputs', 'pause', 'short_lived', '--apply'], env()).code).toBe(0);
    expect(runCli(['inputs', 'delete', 'short_lived', '--apply', '--yes'], env()).code).toBe(0);

    for (const key of ['short_lived', id]) {
      const table = runCli(['inputs', 'history', key], env());
      expect({ key, code: table.code, stderr: table.stderr }).toEqual({ key, code: 0, stderr: '' });
      expect(table.stdout).toContain(`"short_lived" (id ${id}) no longer exists; its history:`);
      expect(table.stdout).toMatch(/^\S+ \S+ +delete +API key/m);

      const json = runCli(['inputs', 'history', key, '--format', 'json'], env());
      const entries = JSON.parse(json.stdout) as Array<{ action: string; inputId: string }>;
      expect(entries.map((e) => e.action)).toEqual(['delete', 'pause', 'create']);
      expect(new Set(entries.map((e) => e.inputId))).toEqual(new Set([id]));
    }
  });

  test('GIVEN a name that never existed THEN input_not_found says so', () => {
    const missing = runCli(['inputs', 'history', 'never_was'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^error\[input_not_found\]: no input named "never_was", nor with that id, now or in the history$/m,
    );
  });

  test('GIVEN a live input THEN its history is found by its id too', async () => {
    const id = (await liveInputs(emulator.url)).find((n) => n.name === 'orders_db')!.id as string;
    const byId = runCli(['inputs', 'history', id, '--format', 'json'], env());
    const entries = JSON.parse(byId.stdout) as Array<{ inputName: string }>;
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e) => e.inputName === 'orders_db')).toBe(true);
  });
});

describe('the system input every account has', () => {
  const note =
    /Alooma's own RESTREAM system input: it feeds the events you restream from the Restream Queue back into the pipeline, and every account has one\. Nobody created it/;

  test('GIVEN inputs list THEN Restream carries a note saying what it is; JSON stays names only', () => {
    const list = runCli(['inputs', 'list'], env());
    const line = list.stdout.split('\n').find((l) => l.startsWith('Restream'));
    expect(line).toMatch(note);
    expect(list.stdout.split('\n').filter((l) => note.test(l))).toHaveLength(1);
    const json = JSON.parse(runCli(['inputs', 'list', '--format', 'json'], env()).stdout);
    expect(json).toContain('Restream');
  });

  test('GIVEN inputs view THEN a line under the table says what Restream is', () => {
    const view = runCli(['inputs', 'view'], env());
    expect(view.stdout).toMatch(new RegExp(`^Restream: ${note.source}`, 'm'));
  });
});

describe('the hint when nothing answers', () => {
  test('GIVEN the emulator of a given --port is not running THEN the hint starts it on that port', async () => {
    const gone = await startEmulatorProcess();
    const url = gone.url;
    await gone.stop();
    const list = runCli(['inputs', 'list'], { ALOOMA_API_URL: url, ALOOMA_API_KEY: 'demo-key' });
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(
      `hint: is the API at ${url} reachable? for the local emulator run \`alooma-cdktf emulator --port ${gone.port}\``,
    );
  });
});
