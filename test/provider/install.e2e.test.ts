/**
 * The provider installer against real Terraform 1.11, with no registry, no
 * network and no CLI configuration (`TF_CLI_CONFIG_FILE=/dev/null`, a
 * throwaway HOME): `terraform init` installs the provider from the implied
 * local mirror, reuses the lock entry and leaves the lock file as it was;
 * Terraform's own hash of the package is ours; other providers' entries
 * survive; a wrong hash fails init; the CLI command and the synth hook
 * (cdktf App, cdktn App, and the real `cdktf synth`) prepare directories
 * Terraform accepts as they are. The provider is a stand-in bundle: init
 * only installs, it never starts the provider.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cdktf from 'cdktf';
import * as cdktn from 'cdktn';
import {
  PROVIDER_PLATFORMS,
  PROVIDER_SOURCE,
  currentPlatform,
  findLockEntry,
  installProvider,
  installProviderOnSynth,
  installedOnSynth,
  mirrorPackageDir,
  parseLockFile,
  providerExecutableName,
  requiredProvidersHcl,
} from '../../src/provider/install';
import { CDKTF_MODULE, createCdktfApp } from '../helpers/cdktf-app';
import { filesUnder } from '../helpers/files';
import { runCli } from '../helpers/runtime-cli';
import { TerraformResult, terraform } from '../helpers/terraform';

jest.setTimeout(300_000);

const VERSION = '0.1.0';
const ROOT = path.resolve(__dirname, '../..');
const PLATFORM = currentPlatform() ?? 'unknown';
/** No CLI configuration, no HOME of the machine: only the implied mirror can serve the provider. */
const OFFLINE = { TF_CLI_CONFIG_FILE: '/dev/null', HOME: tmp() };

const REUSED = `Reusing previous version of ${PROVIDER_SOURCE} from the dependency lock file`;
const INSTALLED = `Installed ${PROVIDER_SOURCE} v${VERSION} (unauthenticated)`;

beforeAll(() => {
  const version = terraform(tmp(), ['version']).stdout;
  expect(version).toMatch(/^Terraform v1\.(1[1-9]|[2-9]\d)\./); // the tests need 1.11 or later
  expect(PROVIDER_PLATFORMS).toContain(PLATFORM);
});

test('terraform init installs the provider from the mirror, reuses the lock entry and leaves the file as it was', () => {
  const dir = workingDir();
  const { lockFile } = installProvider(dir, { bundle: standIn(), version: VERSION });
  const lockBefore = fs.readFileSync(lockFile, 'utf8');

  const init = initOk(dir);
  expect(init.output).toContain(REUSED);
  expect(init.output).toContain(INSTALLED);
  expect(init.output).not.toContain('forced to calculate lock file checksums');
  expect(fs.readFileSync(lockFile, 'utf8')).toBe(lockBefore);

  // What terraform will start: its own path to the package runs the bundle next to it.
  const executable = path.join(
    dir,
    '.terraform/providers',
    PROVIDER_SOURCE,
    VERSION,
    PLATFORM,
    providerExecutableName(VERSION),
  );
  const run = spawnSync(executable, [], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(JSON.parse(run.stdout).bundle).toBe(
    fs.realpathSync(path.join(dir, mirrorPackageDir(VERSION, PLATFORM), 'provider.js')),
  );
});

test('the hash is the one terraform computes: init with no lock file writes our entry byte for byte, and providers lock -fs-mirror agrees for every platform', () => {
  const dir = workingDir();
  const ours = installProvider(dir, { bundle: standIn(), version: VERSION });
  const written = fs.readFileSync(ours.lockFile, 'utf8');

  fs.rmSync(ours.lockFile);
  const init = initOk(dir);
  expect(init.output).not.toContain(REUSED);
  expect(fs.readFileSync(ours.lockFile, 'utf8')).toBe(written);

  fs.rmSync(ours.lockFile);
  const lock = terraform(
    dir,
    [
      'providers',
      'lock',
      '-no-color',
      '-fs-mirror=terraform.d/plugins',
      ...PROVIDER_PLATFORMS.map((p) => `-platform=${p}`),
    ],
    OFFLINE,
  );
  expect(lock.code).toBe(0);
  expect(findLockEntry(fs.readFileSync(ours.lockFile, 'utf8'), PROVIDER_SOURCE)).toEqual({
    address: PROVIDER_SOURCE,
    version: VERSION,
    constraints: VERSION,
    hashes: [ours.hash],
  });
});

test("another provider's entry, written by terraform, is kept byte for byte through install and init", () => {
  const dir = tmp();
  // Another provider that only a local mirror has, locked by terraform itself first.
  const other = path.join(dir, 'terraform.d/plugins/example.invalid/test/other/1.0.0', PLATFORM);
  fs.mkdirSync(other, { recursive: true });
  fs.writeFileSync(path.join(other, 'terraform-provider-other_v1.0.0'), '#!/bin/sh\nexit 1\n', {
    mode: 0o755,
  });
  const otherRequirement = 'other = { source = "example.invalid/test/other", version = "~> 1.0" }';
  fs.writeFileSync(
    path.join(dir, 'main.tf'),
    `terraform {\n  required_providers {\n    ${otherRequirement}\n  }\n}\n`,
  );
  initOk(dir);
  const lockFile = path.join(dir, '.terraform.lock.hcl');
  const terraformWrote = fs.readFileSync(lockFile, 'utf8');
  const [otherBlock] = parseLockFile(terraformWrote).blocks;
  const otherText = terraformWrote.slice(otherBlock.start, otherBlock.end);
  expect(otherText).toContain('constraints = "~> 1.0"');

  fs.writeFileSync(
    path.join(dir, 'main.tf'),
    requiredProvidersHcl(VERSION).replace(
      '  required_providers {\n',
      `  required_providers {\n    ${otherRequirement}\n`,
    ),
  );
  installProvider(dir, { bundle: standIn(), version: VERSION });
  const merged = fs.readFileSync(lockFile, 'utf8');
  expect(merged).toContain(otherText);
  expect(merged.startsWith(terraformWrote.slice(0, otherBlock.start))).toBe(true);

  const init = initOk(dir);
  expect(init.output).toContain(REUSED);
  expect(init.output).toContain('Reusing previous version of example.invalid/test/other');
  expect(fs.readFileSync(lockFile, 'utf8')).toBe(merged);
});

test('installs from two absolute paths are byte-identical, hash the same and lock the same after init', () => {
  const a = workingDir();
  const b = workingDir(path.join(tmp(), 'somewhere', 'else'));
  const ra = installProvider(a, { bundle: standIn(), version: VERSION });
  const rb = installProvider(b, { bundle: standIn(), version: VERSION });
  expect(rb.hash).toBe(ra.hash);
  expect(snapshot(path.join(b, 'terraform.d'))).toEqual(snapshot(path.join(a, 'terraform.d')));
  initOk(a);
  initOk(b);
  expect(fs.readFileSync(rb.lockFile, 'utf8')).toBe(fs.readFileSync(ra.lockFile, 'utf8'));
});

test('a wrong hash in the lock file, or a changed package, makes init fail', () => {
  const dir = workingDir();
  const { lockFile, hash, packageDirs } = installProvider(dir, {
    bundle: standIn(),
    version: VERSION,
  });
  const good = fs.readFileSync(lockFile, 'utf8');
  const wrong = `h1:${Buffer.alloc(32, 7).toString('base64')}`;
  fs.writeFileSync(lockFile, good.replace(hash, wrong));
  const failed = terraform(dir, ['init', '-no-color', '-input=false'], OFFLINE);
  expect(failed.code).not.toBe(0);
  expect(oneLine(failed.output)).toMatch(/doesn't match any of the checksums previously recorded/);

  fs.writeFileSync(lockFile, good);
  const platformDir = packageDirs.find((d) => d.endsWith(PLATFORM))!;
  fs.appendFileSync(path.join(platformDir, 'provider.js'), '// changed\n');
  fs.rmSync(path.join(dir, '.terraform'), { recursive: true, force: true });
  const tampered = terraform(dir, ['init', '-no-color', '-input=false'], OFFLINE);
  expect(tampered.code).not.toBe(0);
  expect(oneLine(tampered.output)).toMatch(
    /doesn't match any of the checksums previously recorded/,
  );
});

test('alooma-cdktf provider install prepares a plain Terraform directory; the HCL it prints is what init accepts', () => {
  const dir = tmp();
  const bundle = standIn();
  const first = runCli(['provider', 'install', '--dir', dir, '--bundle', bundle]);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain(
    `Installed ${PROVIDER_SOURCE} ${VERSION} into ${path.join(dir, 'terraform.d/plugins')} for darwin_amd64, darwin_arm64, linux_amd64, linux_arm64`,
  );
  expect(first.stdout).toMatch(/^Wrote its entry in .*\.terraform\.lock\.hcl \(h1:/m);
  const hcl = first.stdout.slice(first.stdout.indexOf('terraform {'));
  expect(hcl).toBe(requiredProvidersHcl(VERSION));
  fs.writeFileSync(path.join(dir, 'main.tf'), hcl);
  const lockBefore = fs.readFileSync(path.join(dir, '.terraform.lock.hcl'), 'utf8');
  expect(initOk(dir).output).toContain(REUSED);
  expect(fs.readFileSync(path.join(dir, '.terraform.lock.hcl'), 'utf8')).toBe(lockBefore);

  const again = runCli(['provider', 'install', '--dir', dir, '--bundle', bundle]);
  expect(again.stdout).toMatch(/^Kept its entry in /m);

  const elsewhere = runCli([
    'provider',
    'install',
    '--dir',
    tmp(),
    '--bundle',
    bundle,
    '--platform',
    PROVIDER_PLATFORMS.find((p) => p !== PLATFORM)!,
  ]);
  expect(elsewhere.code).toBe(0);
  expect(elsewhere.stderr).toBe(
    `warning: this machine is ${PLATFORM}, which was not installed for: add --platform ${PLATFORM} to run Terraform here\n`,
  );

  const badLockDir = tmp();
  fs.writeFileSync(
    path.join(badLockDir, '.terraform.lock.hcl'),
    'provider "a/b/c" {\n  version = 1\n}\n',
  );
  const badLock = runCli(['provider', 'install', '--dir', badLockDir, '--bundle', bundle]);
  expect(badLock.code).toBe(1);
  expect(badLock.stderr).toMatch(
    /^error\[lock_file_invalid\]: .*\.terraform\.lock\.hcl:2: expected a quoted string/,
  );

  const missing = runCli([
    'provider',
    'install',
    '--dir',
    tmp(),
    '--bundle',
    '/nonexistent/provider.js',
  ]);
  expect(missing.code).toBe(1);
  expect(missing.stdout).toBe('');
  expect(missing.stderr).toMatch(
    /^error\[provider_package_missing\]: cannot read the provider file \/nonexistent\/provider\.js: ENOENT\n {2}hint: /,
  );
});

describe.each([
  ['cdktf 0.21', cdktf],
  ['cdktn 0.24', cdktn as unknown as typeof cdktf],
])('the synth hook under %s', (_core, core) => {
  test('App.synth() writes a stack directory that terraform init accepts offline, lock file unchanged', () => {
    const outdir = tmp();
    const app = new core.App({ outdir, skipValidation: true });
    const stack = new core.TerraformStack(app, 'shop');
    const Provider = class extends core.TerraformProvider {};
    new Provider(stack, 'alooma', {
      terraformResourceType: 'alooma',
      terraformProviderSource: PROVIDER_SOURCE,
      terraformGeneratorMetadata: { providerName: 'alooma', providerVersion: VERSION },
    });
    installProviderOnSynth(stack, { bundle: standIn(), version: VERSION });
    app.synth();

    const stackDir = path.join(outdir, 'stacks', 'shop');
    const lockFile = path.join(stackDir, '.terraform.lock.hcl');
    const lockBefore = fs.readFileSync(lockFile, 'utf8');
    const init = initOk(stackDir);
    expect(init.output).toContain(REUSED);
    expect(init.output).toContain(INSTALLED);
    expect(fs.readFileSync(lockFile, 'utf8')).toBe(lockBefore);
    expect(installedOnSynth(stack)?.lockFile).toBe(lockFile);
    // The cdktf CLI's own check: with this lock file it runs no `terraform providers lock`.
    expect(cdktfCliNeedsProviderLock(stackDir, PROVIDER_SOURCE, VERSION)).toBe(false);
  });
});

test('the cdktn build (lib/cdktn, npm run build) carries the hook; a cdktn app synthesized with it inits offline', () => {
  const built = path.join(ROOT, 'lib/cdktn/src/provider/install/index.js');
  if (!fs.existsSync(built)) throw new Error(`${built} is missing: run "npm run build"`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled cdktn build, by path
  const hook = require(built) as typeof import('../../src/provider/install');
  const outdir = tmp();
  const app = new cdktn.App({ outdir, skipValidation: true });
  const stack = new cdktn.TerraformStack(app, 'shop');
  stack.addOverride('terraform.required_providers.alooma', {
    source: PROVIDER_SOURCE,
    version: VERSION,
  });
  hook.installProviderOnSynth(stack, { bundle: standIn(), version: VERSION });
  app.synth();
  expect(initOk(path.join(outdir, 'stacks', 'shop')).output).toContain(REUSED);
});

test('the real `cdktf synth` leaves the mirror and lock entry in cdktf.out/stacks/<stack>/; init there works offline', () => {
  const app = createCdktfApp('alooma-install-app-');
  app.write({
    'main.ts': `
import { App, TerraformProvider, TerraformStack } from ${JSON.stringify(CDKTF_MODULE)};
import { installProviderOnSynth } from ${JSON.stringify(path.join(ROOT, 'src/provider/install'))};

class AloomaProvider extends TerraformProvider {}
const app = new App();
const stack = new TerraformStack(app, 'shop');
new AloomaProvider(stack, 'alooma', {
  terraformResourceType: 'alooma',
  terraformProviderSource: ${JSON.stringify(PROVIDER_SOURCE)},
  terraformGeneratorMetadata: { providerName: 'alooma', providerVersion: ${JSON.stringify(VERSION)} },
});
installProviderOnSynth(stack, { bundle: ${JSON.stringify(standIn())}, version: ${JSON.stringify(VERSION)} });
app.synth();
`,
  });
  const synth = app.cdktf(['synth'], { TF_CLI_CONFIG_FILE: '/dev/null' });
  expect(synth.output).toMatch(/Generated Terraform code for the stacks: shop/);
  expect(synth.code).toBe(0);
  const stackDir = app.stackDir('shop');
  const lockBefore = fs.readFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'utf8');
  expect(initOk(stackDir).output).toContain(REUSED);
  expect(fs.readFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'utf8')).toBe(lockBefore);
});

// ---- helpers ----

/** `terraform init` with no CLI configuration; throws with terraform's output unless it succeeds. */
test("where node cannot run, terraform shows the wrapper's line with the fix (ALOOMA_CDKTF_NODE=/nonexistent/node)", () => {
  const dir = workingDir();
  installProvider(dir, { bundle: standIn(), version: VERSION });
  fs.appendFileSync(path.join(dir, 'main.tf'), '\nprovider "alooma" {}\n');
  initOk(dir);
  const plan = terraform(dir, ['plan', '-no-color', '-input=false'], {
    ...OFFLINE,
    ALOOMA_CDKTF_NODE: '/nonexistent/node',
  });
  expect(plan.code).toBe(1);
  // Terraform prints only what the plugin wrote on stdout: the line, with its fix
  expect(oneLine(plan.output)).toContain(
    "Unrecognized remote plugin message: alooma-cdktf provider: cannot run '/nonexistent/node': install Node.js >= 20 where Terraform runs, or set ALOOMA_CDKTF_NODE to its path",
  );
});

function initOk(dir: string): TerraformResult {
  const result = terraform(dir, ['init', '-no-color', '-input=false'], OFFLINE);
  if (result.code !== 0) throw new Error(`terraform init failed in ${dir}:\n${result.output}`);
  return result;
}

/** A Terraform working directory requiring the provider as the README says. */
function workingDir(dir = tmp()): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'main.tf'), requiredProvidersHcl(VERSION));
  return dir;
}

/** A stand-in provider bundle (terraform init never runs it): prints where it runs from. */
function standIn(): string {
  const file = path.join(tmp(), 'provider.js');
  fs.writeFileSync(
    file,
    'process.stdout.write(JSON.stringify({ bundle: __filename, args: process.argv.slice(2) }));\n',
  );
  return file;
}

/**
 * Asks the cdktf CLI's own code (@cdktf/cli-core, as `cdktf deploy` does
 * before init) whether the stack directory's lock file lacks the provider,
 * in which case the CLI would run `terraform providers lock`, which needs a
 * registry.
 */
function cdktfCliNeedsProviderLock(stackDir: string, source: string, version: string): boolean {
  const script = `
const { TerraformProviderLock } = require('@cdktf/cli-core/src/lib/terraform-provider-lock');
const { ProviderConstraint } = require('@cdktf/cli-core/src/lib/dependencies/dependency-manager');
new TerraformProviderLock(process.argv[1])
  .hasMatchingProvider(new ProviderConstraint(process.argv[2], process.argv[3]))
  .then((has) => process.stdout.write('\\n@@' + JSON.stringify(!has)));`;
  const result = spawnSync(process.execPath, ['-e', script, stackDir, source, version], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: OFFLINE.HOME, TF_CLI_CONFIG_FILE: '/dev/null' },
  });
  const answer = /@@(true|false)$/.exec(result.stdout);
  if (!answer) throw new Error(`cli-core check failed: ${result.stdout}${result.stderr}`);
  return answer[1] === 'true';
}

/** Every file under `dir`: relative path to mode and content. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesUnder(dir).map((file) => [
      path.relative(dir, file),
      `${(fs.statSync(file).mode & 0o777).toString(8)} ${fs.readFileSync(file, 'base64')}`,
    ]),
  );
}

/** Terraform wraps its messages at 78 columns. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-install-e2e-'));
}
