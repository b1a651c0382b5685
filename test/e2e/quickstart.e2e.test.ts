/**
 * The README's TypeScript quickstart, run as written: the commands and files
 * are read from the README's marked code blocks (`<!-- quickstart:... -->`),
 * so the README and this test cannot drift apart. A fresh app directory
 * installs the packed tarball (in place of `alooma-cdktf`) and the pinned
 * versions from the npm registry, writes the README's cdktf.json,
 * tsconfig.json and main.ts, and runs the README's deploy commands (the
 * emulator's URL in place of the default port) against a real emulator
 * process: the inputs of main.ts then exist in the emulator.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EmulatorDefaults } from '../../src/runtime/protocol';
import { EmulatorProcess, startEmulatorProcess } from '../helpers/emulator-process';
import { liveInputs } from '../helpers/runtime-cli';
import { packRepo } from '../helpers/packed';

jest.setTimeout(1_200_000);

const ROOT = path.resolve(__dirname, '../..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The fenced code block right after `<!-- quickstart:<marker> -->` in the README. */
function quickstartBlock(marker: string): string {
  const at = README.indexOf(`<!-- quickstart:${marker} -->`);
  if (at < 0) throw new Error(`README.md has no <!-- quickstart:${marker} --> block`);
  const match = /```[a-z]*\n([\s\S]*?)```/.exec(README.slice(at));
  if (!match) throw new Error(`no code block after <!-- quickstart:${marker} -->`);
  return match[1];
}

/** Runs a README shell block with bash, stopping at the first failing command. */
function runBlock(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env,
    maxBuffer: 64 << 20,
    timeout: 900_000,
  });
  if (result.error) throw result.error;
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

let emulator: EmulatorProcess | undefined;
/** Folders the test made: the app's node_modules alone are some 400 MB. */
const made: string[] = [];
afterAll(async () => {
  await emulator?.stop();
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

test('the README quickstart, run as written, deploys its inputs to the emulator', async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-quickstart-'));
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-quickstart-home-'));
  made.push(work, home);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    // npm's cache stays the user's: the registry is asked only for what it lacks
    npm_config_cache: path.join(os.homedir(), '.npm'),
    npm_config_prefer_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    CHECKPOINT_DISABLE: '1',
    CI: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    DISABLE_VERSION_CHECK: '1',
  };

  // GIVEN the README's install commands, with the packed tarball for alooma-cdktf
  const tarball = packRepo(work);
  const install = quickstartBlock('install');
  expect(install).toMatch(/^npm install alooma-cdktf /m);
  const installed = runBlock(
    install.replace(/^(npm install) alooma-cdktf /m, `$1 ${tarball} `),
    work,
    env,
  );
  expect({ code: installed.code, output: installed.code ? installed.output : '' }).toEqual({
    code: 0,
    output: '',
  });
  expect(installed.output).not.toMatch(/EBADENGINE/);
  const appDir = path.join(work, /^mkdir (\S+)/m.exec(install)![1]);
  const version = (pkg: string) =>
    (
      JSON.parse(
        fs.readFileSync(path.join(appDir, 'node_modules', pkg, 'package.json'), 'utf8'),
      ) as { version: string }
    ).version;
  expect(version('typescript')).toMatch(/^5\.9\./);
  expect(version('cdktf-cli')).toBe('0.21.0');
  expect(version('alooma-cdktf')).toBe(
    (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version,
  );

  // AND the README's cdktf.json, tsconfig.json and main.ts
  for (const file of ['cdktf.json', 'tsconfig.json', 'main.ts'])
    fs.writeFileSync(path.join(appDir, file), quickstartBlock(`file ${file}`));

  // AND the emulator the README starts (here a process on a free port)
  expect(quickstartBlock('emulator').trim()).toBe('npx alooma-cdktf emulator');
  emulator = await startEmulatorProcess();

  // WHEN the README's deploy commands run, pointed at that emulator
  const deployBlock = quickstartBlock('deploy');
  expect(deployBlock).toContain(`ALOOMA_API_URL=${EmulatorDefaults.URL} `);
  const deploy = runBlock(deployBlock.split(EmulatorDefaults.URL).join(emulator.url), appDir, env);
  expect({ code: deploy.code, output: deploy.code ? deploy.output : '' }).toEqual({
    code: 0,
    output: '',
  });

  // THEN the stack used the default engine, the provider: one alooma_* resource per input
  const synthesized = JSON.parse(
    fs.readFileSync(path.join(appDir, 'cdktf.out/stacks/quickstart/cdk.tf.json'), 'utf8'),
  ) as { resource: Record<string, unknown> };
  expect(Object.keys(synthesized.resource).sort()).toEqual([
    'alooma_input',
    'alooma_mixpanel_input',
    'alooma_s3_input',
  ]);
  expect(deploy.output).toMatch(/Apply complete! Resources: 3 added, 0 changed, 0 destroyed/);
  // AND the inputs of main.ts exist in the emulator, configured as the code says
  const live = await liveInputs(emulator.url);
  expect(live.map((n) => n.name).sort()).toEqual([
    'clickstream_s3',
    'mixpanel_events',
    'storefront_events',
  ]);
  const byName = (name: string) => live.find((n) => n.name === name)!;
  expect(byName('clickstream_s3')).toMatchObject({
    type: 'S3',
    configuration: {
      awsBucketName: 'clickstream',
      filePrefix: 'events/',
      awsAccessKeyId: 'AKIAQUICKSTART',
      alooma_cdktf: { owner: 'quickstart' },
    },
  });
  expect(JSON.parse(byName('clickstream_s3').configuration.fileFormat)).toEqual({
    type: 'delimited',
    delimiter: ',',
  });
  expect(byName('mixpanel_events')).toMatchObject({
    type: 'MIXPANEL',
    configuration: { mixpanelApiKey: '0123abcd', fromDate: '2024-01-01' },
  });
  expect(byName('storefront_events').type).toBe('RESTAPI');
  // with the secrets the README exports
  const secrets = Object.fromEntries(
    [...deployBlock.matchAll(/\b([A-Z_]+_SECRET)=(\S+)/g)].map((m) => [m[1], m[2]]),
  );
  expect(
    await emulator.secretMatches(
      byName('clickstream_s3').id,
      'awsSecretAccessKey',
      secrets.CLICKSTREAM_AWS_SECRET,
    ),
  ).toBe(true);
  expect(
    await emulator.secretMatches(
      byName('mixpanel_events').id,
      'mixpanelApiSecret',
      secrets.MIXPANEL_API_SECRET,
    ),
  ).toBe(true);
  // and the README's `inputs list` shows them, and says what Restream is
  expect(deploy.output).toMatch(/^clickstream_s3$/m);
  expect(deploy.output).toMatch(/^Restream +\(Alooma's own RESTREAM system input/m);
});
