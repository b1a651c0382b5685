/**
 * The provider installer without Terraform: the `h1:` hash, the lock file
 * reader and merge, the package and its wrapper, the installer's layout and
 * the synth hook under both CDK cores. install.e2e.test.ts checks the same
 * against real `terraform`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cdktf from 'cdktf';
import * as cdktn from 'cdktn';
import * as ts from 'typescript';
import {
  LOCK_FILE_HEADER,
  PROVIDER_PLATFORMS,
  PROVIDER_SOURCE,
  SynthesizableStack,
  directoryHashV1,
  findLockEntry,
  installProvider,
  installProviderOnSynth,
  installedOnSynth,
  mergeLockEntry,
  mirrorPackageDir,
  packageHashV1,
  packageVersion,
  parseLockFile,
  providerExecutableName,
  providerPackage,
  providerRequirement,
  providerWrapperScript,
  renderLockBlock,
  requiredProvidersHcl,
} from '../../src/provider/install';
import { filesUnder } from '../helpers/files';

const VERSION = '0.1.0';

/** A lock file exactly as `terraform init` 1.11.4 wrote it for two providers. */
const TERRAFORM_LOCK = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/null" {
  version     = "3.2.4"
  constraints = "~> 3.2"
  hashes = [
    "h1:L5V05xwp/Gto1leRryuesxjMfgZwjb7oool4WS1UEFQ=",
    "zh:59f6b52ab4ff35739647f9509ee6d93d7c032985d9f8c6237d1f8a59471bbbe2",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.3"
  hashes = [
    "h1:zG9uFP8l9u+yGZZvi5Te7PV62j50azpgwPunq2vTm1E=",
  ]
}
`;

describe('the h1: hash', () => {
  test('matches what terraform init 1.11.4 wrote for the same two files', () => {
    // Measured here: terraform init of an implied mirror holding exactly these bytes.
    const files = [
      { name: 'provider.js', content: Buffer.from('console.log("hi")\n') },
      {
        name: 'terraform-provider-alooma_v0.1.0',
        content: Buffer.from('#!/bin/sh\nexec node "$(dirname "$0")/provider.js" "$@"\n'),
      },
    ];
    expect(packageHashV1(files)).toBe('h1:89e8BxtfCZgVMigYamPOScRdWQDAoYbg0zaA5Z6oqaU=');
    expect(packageHashV1([...files].reverse())).toBe(packageHashV1(files));
  });

  test('names files by their slash path and orders them by bytes, not by insertion', () => {
    const a = { name: 'B', content: Buffer.from('1') };
    const b = { name: 'a/x', content: Buffer.from('2') };
    const c = { name: 'a', content: Buffer.from('3') };
    expect(packageHashV1([a, b, c])).toBe(packageHashV1([c, b, a]));
    expect(packageHashV1([a, b, c])).not.toBe(packageHashV1([a, { ...b, name: 'a_x' }, c]));
  });

  test('of a directory is the hash of its files, read recursively', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'one'), 'one');
    fs.writeFileSync(path.join(dir, 'sub', 'two'), 'two');
    expect(directoryHashV1(dir)).toBe(
      packageHashV1([
        { name: 'one', content: Buffer.from('one') },
        { name: 'sub/two', content: Buffer.from('two') },
      ]),
    );
  });
});

describe('the lock file', () => {
  const entry = {
    address: PROVIDER_SOURCE,
    version: VERSION,
    constraints: VERSION,
    hashes: ['h1:abc='],
  };

  test('renders an entry as terraform does', () => {
    expect(renderLockBlock(entry)).toBe(
      [
        'provider "alooma-cdktf.invalid/alooma/alooma" {',
        '  version     = "0.1.0"',
        '  constraints = "0.1.0"',
        '  hashes = [',
        '    "h1:abc=",',
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  test('a new lock file is terraform header, blank line, the entry', () => {
    expect(mergeLockEntry(undefined, entry)).toBe(
      `${LOCK_FILE_HEADER}\n${renderLockBlock(entry)}\n`,
    );
    expect(mergeLockEntry('\n', entry)).toBe(mergeLockEntry(undefined, entry));
  });

  test('reads what terraform writes: addresses, versions, constraints, hashes', () => {
    const { blocks } = parseLockFile(TERRAFORM_LOCK);
    expect(blocks.map((b) => b.address)).toEqual([
      'registry.terraform.io/hashicorp/null',
      'registry.terraform.io/hashicorp/random',
    ]);
    expect(findLockEntry(TERRAFORM_LOCK, 'registry.terraform.io/hashicorp/null')).toEqual({
      address: 'registry.terraform.io/hashicorp/null',
      version: '3.2.4',
      constraints: '~> 3.2',
      hashes: [
        'h1:L5V05xwp/Gto1leRryuesxjMfgZwjb7oool4WS1UEFQ=',
        'zh:59f6b52ab4ff35739647f9509ee6d93d7c032985d9f8c6237d1f8a59471bbbe2',
      ],
    });
    expect(findLockEntry(TERRAFORM_LOCK, PROVIDER_SOURCE)).toBeUndefined();
  });

  test('adds the entry where terraform would (sorted by address), keeping every other byte', () => {
    const merged = mergeLockEntry(TERRAFORM_LOCK, entry);
    // "alooma-cdktf.invalid" sorts before "registry.terraform.io"
    const at = merged.indexOf(renderLockBlock(entry));
    expect(at).toBeGreaterThan(0);
    const without = merged.slice(0, at) + merged.slice(at + renderLockBlock(entry).length + 2);
    expect(without).toBe(TERRAFORM_LOCK);
    expect(parseLockFile(merged).blocks.map((b) => b.address)).toEqual([
      PROVIDER_SOURCE,
      'registry.terraform.io/hashicorp/null',
      'registry.terraform.io/hashicorp/random',
    ]);
  });

  test('appends after the last entry when its address sorts last', () => {
    const late = { ...entry, address: 'zz.invalid/alooma/alooma' };
    const merged = mergeLockEntry(TERRAFORM_LOCK, late);
    expect(merged).toBe(`${TERRAFORM_LOCK}\n${renderLockBlock(late)}\n`);
  });

  test('replaces its own old entry where it stands, and only that', () => {
    const old = mergeLockEntry(TERRAFORM_LOCK, { ...entry, version: '0.0.9', hashes: ['h1:old='] });
    const merged = mergeLockEntry(old, entry);
    expect(merged).toBe(mergeLockEntry(TERRAFORM_LOCK, entry));
    expect(findLockEntry(merged, PROVIDER_SOURCE)).toEqual(entry);
    expect(mergeLockEntry(merged, entry)).toBe(merged);
  });

  test('keeps comments, CRLF line ends and odd spacing of other entries as they are', () => {
    const odd =
      '// kept\r\nprovider "registry.terraform.io/hashicorp/null" {\r\n  version = "3.2.4" # pinned\r\n  hashes = [ "h1:x=" , /* c */ ]\r\n}\r\n';
    const merged = mergeLockEntry(odd, entry);
    expect(merged.replace(`${renderLockBlock(entry)}\n\n`, '')).toBe(odd);
  });

  test.each([
    ['a block that is not a provider', 'module "x" {\n}\n', /:1: unexpected "module"/],
    [
      'an unterminated block',
      'provider "a/b/c" {\n  version = "1"\n',
      /:3: unexpected the end of the file/,
    ],
    ['a number', 'provider "a/b/c" {\n  version = 1\n}\n', /:2: expected a quoted string/],
    ['a template', 'provider "a/b/c" {\n  version = "${var.v}"\n}\n', /:2: a template sequence/],
    [
      'a duplicate provider',
      'provider "a/b/c" {\n}\nprovider "A/b/c" {\n}\n',
      /:3: a second block/,
    ],
    [
      'a duplicate attribute',
      'provider "a/b/c" {\n  version = "1"\n  version = "2"\n}\n',
      /:3: "version" is set twice/,
    ],
    ['a missing comma', 'provider "a/b/c" {\n  hashes = ["a" "b"]\n}\n', /:2: expected "," or "]"/],
    ['an unknown escape', 'provider "a/b/c" {\n  version = "\\q"\n}\n', /:2: unknown escape/],
  ])('refuses %s with the line, as lock_file_invalid', (_what, text, message) => {
    expect(() => mergeLockEntry(text, entry)).toThrow(message);
    expect(() => parseLockFile(text)).toThrow(
      expect.objectContaining({ code: 'lock_file_invalid' }),
    );
  });

  test('decodes HCL string escapes', () => {
    const text = 'provider "a/b/c" {\n  version = "\\u0031.\\"2\\"$${x}"\n}\n';
    expect(findLockEntry(text, 'a/b/c')?.version).toBe('1."2"${x}');
  });
});

describe('the package', () => {
  test('is the wrapper and the bundle; the same bytes wherever the bundle was read from', () => {
    const [a, b] = [standIn(tmp()), standIn(tmp())];
    const one = providerPackage({ bundle: a, version: VERSION });
    const two = providerPackage({ bundle: b, version: VERSION });
    expect(one.files.map((f) => f.name)).toEqual([providerExecutableName(VERSION), 'provider.js']);
    expect(one.executable).toBe('terraform-provider-alooma_v0.1.0');
    expect(one.files).toEqual(two.files);
  });

  test('the wrapper names no absolute path, machine or user', () => {
    const script = providerWrapperScript(VERSION);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).not.toMatch(/(^|[\s"'=])\/(?!bin\/sh\n)/m);
    expect(script).not.toContain(os.homedir());
    expect(script).not.toContain(process.cwd());
  });

  test('a missing bundle is provider_package_missing, with how to get one', () => {
    expect(() => providerPackage({ bundle: '/nonexistent/provider.js', version: VERSION })).toThrow(
      expect.objectContaining({
        code: 'provider_package_missing',
        hint: expect.stringContaining('npm run build'),
      }),
    );
  });

  test('a version Terraform would refuse is refused before anything is written', () => {
    expect(() => providerPackage({ bundle: standIn(tmp()), version: 'v1.0' })).toThrow(
      /"v1.0" is not a provider version/,
    );
  });

  test('the default version is the package version: the provider ships with it', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    expect(providerPackage({ bundle: standIn(tmp()) }).version).toBe(pkg.version);
  });
});

describe('installProvider', () => {
  test('writes one identical package per platform and the lock entry with its hash', () => {
    const dir = tmp();
    const result = installProvider(dir, { bundle: standIn(tmp()), version: VERSION });
    expect(result.platforms).toEqual([...PROVIDER_PLATFORMS].sort());
    expect(result.packageDirs).toEqual(
      result.platforms.map((p) => path.join(dir, mirrorPackageDir(VERSION, p))),
    );
    for (const pkgDir of result.packageDirs) {
      expect(fs.readdirSync(pkgDir).sort()).toEqual([
        'provider.js',
        'terraform-provider-alooma_v0.1.0',
      ]);
      expect(directoryHashV1(pkgDir)).toBe(result.hash);
      expect(fs.statSync(path.join(pkgDir, 'terraform-provider-alooma_v0.1.0')).mode & 0o777).toBe(
        0o755,
      );
      expect(fs.statSync(path.join(pkgDir, 'provider.js')).mode & 0o777).toBe(0o644);
    }
    expect(findLockEntry(fs.readFileSync(result.lockFile, 'utf8'), PROVIDER_SOURCE)).toEqual({
      address: PROVIDER_SOURCE,
      version: VERSION,
      constraints: VERSION,
      hashes: [result.hash],
    });
    expect(result.lockFileChanged).toBe(true);
  });

  test('from two absolute paths, gives byte-identical trees and the same hash', () => {
    const [a, b] = [tmp(), path.join(tmp(), 'deeper', 'elsewhere')];
    const ra = installProvider(a, { bundle: standIn(tmp()), version: VERSION });
    const rb = installProvider(b, { bundle: standIn(tmp()), version: VERSION });
    expect(rb.hash).toBe(ra.hash);
    expect(snapshot(b)).toEqual(snapshot(a));
  });

  test('a second install changes nothing; a stale file in the package is removed', () => {
    const dir = tmp();
    const bundle = standIn(tmp());
    const first = installProvider(dir, { bundle, version: VERSION });
    fs.writeFileSync(path.join(first.packageDirs[0], 'stale.js'), 'left by another version');
    const before = snapshot(dir);
    const second = installProvider(dir, { bundle, version: VERSION });
    expect(second.lockFileChanged).toBe(false);
    expect(second.hash).toBe(first.hash);
    const after = snapshot(dir);
    expect(Object.keys(after).filter((f) => f.endsWith('stale.js'))).toEqual([]);
    delete (before as Record<string, string>)[
      path.relative(dir, path.join(first.packageDirs[0], 'stale.js'))
    ];
    expect(after).toEqual(before);
  });

  test('keeps other providers in an existing lock file byte-for-byte', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, '.terraform.lock.hcl'), TERRAFORM_LOCK);
    const result = installProvider(dir, { bundle: standIn(tmp()), version: VERSION });
    const text = fs.readFileSync(result.lockFile, 'utf8');
    for (const block of parseLockFile(TERRAFORM_LOCK).blocks) {
      expect(text).toContain(TERRAFORM_LOCK.slice(block.start, block.end));
    }
  });

  test('refuses a lock file it cannot read, and writes nothing', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, '.terraform.lock.hcl'), 'garbage');
    expect(() => installProvider(dir, { bundle: standIn(tmp()), version: VERSION })).toThrow(
      /\.terraform\.lock\.hcl:1: unexpected "garbage"/,
    );
    expect(fs.readFileSync(path.join(dir, '.terraform.lock.hcl'), 'utf8')).toBe('garbage');
    expect(fs.readdirSync(dir)).toEqual(['.terraform.lock.hcl']);
  });

  test.each([
    [['windows_amd64'], /cannot be installed for windows_amd64/],
    [['linux'], /"linux" is not a platform name/],
    [[], /no platform/],
  ])('refuses platforms %j', (platforms, message) => {
    expect(() =>
      installProvider(tmp(), { bundle: standIn(tmp()), version: VERSION, platforms }),
    ).toThrow(message);
  });
});

describe('the wrapper', () => {
  test('runs the bundle next to itself, from any working directory and through a linked folder', () => {
    const dir = tmp();
    const { packageDirs } = installProvider(dir, { bundle: standIn(tmp()), version: VERSION });
    const link = path.join(tmp(), 'linked');
    fs.symlinkSync(packageDirs[0], link); // terraform links .terraform/providers/... to the mirror
    const result = spawnSync(path.join(link, 'terraform-provider-alooma_v0.1.0'), ['a b', 'c'], {
      cwd: os.tmpdir(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      bundle: fs.realpathSync(path.join(packageDirs[0], 'provider.js')), // node resolves links
      args: ['a b', 'c'],
    });
  });

  test('without node says so in one line on stderr and the same line on stdout (where Terraform shows it), and fails', () => {
    const { packageDirs } = installProvider(tmp(), { bundle: standIn(tmp()), version: VERSION });
    const result = spawnSync(
      '/bin/sh',
      [path.join(packageDirs[0], 'terraform-provider-alooma_v0.1.0')],
      {
        encoding: 'utf8',
        env: { PATH: '/nonexistent' },
      },
    );
    const line =
      "alooma-cdktf provider: cannot run 'node': install Node.js >= 20 where Terraform runs, or set ALOOMA_CDKTF_NODE to its path\n";
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(line);
    expect(result.stdout).toBe(line);
  });

  test('runs the node ALOOMA_CDKTF_NODE names', () => {
    const { packageDirs } = installProvider(tmp(), { bundle: standIn(tmp()), version: VERSION });
    const result = spawnSync(
      '/bin/sh',
      [path.join(packageDirs[0], 'terraform-provider-alooma_v0.1.0')],
      {
        encoding: 'utf8',
        env: { PATH: '/nonexistent', ALOOMA_CDKTF_NODE: process.execPath },
      },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout).args).toEqual([]);
  });
});

describe('the synth hook', () => {
  const cores = [
    ['cdktf 0.21', cdktf],
    ['cdktn 0.24', cdktn as unknown as typeof cdktf],
  ] as const;

  test.each(cores)(
    'under %s, a full synth installs into cdktf.out/stacks/<stack>/',
    (_name, core) => {
      const bundle = standIn(tmp());
      const outdir = tmp();
      const app = new core.App({ outdir, skipValidation: true });
      const stack = new core.TerraformStack(app, 'shop');
      declareProvider(core, stack);
      installProviderOnSynth(stack, { bundle, version: VERSION });
      installProviderOnSynth(stack, { bundle, version: VERSION }); // every construct may call it
      app.synth();

      const stackDir = path.join(outdir, 'stacks', 'shop');
      expect(fs.existsSync(path.join(stackDir, 'cdk.tf.json'))).toBe(true);
      const installed = installedOnSynth(stack);
      expect(installed?.packageDirs).toEqual(
        [...PROVIDER_PLATFORMS]
          .sort()
          .map((p) => path.join(stackDir, mirrorPackageDir(VERSION, p))),
      );
      const lock = fs.readFileSync(path.join(stackDir, '.terraform.lock.hcl'), 'utf8');
      expect(findLockEntry(lock, PROVIDER_SOURCE)?.hashes).toEqual([installed?.hash]);
      const json = JSON.parse(fs.readFileSync(path.join(stackDir, 'cdk.tf.json'), 'utf8'));
      expect(json.terraform.required_providers.alooma).toEqual(providerRequirement(VERSION));
    },
  );

  test('Testing.synth (no files) installs nothing; Testing.fullSynth does', () => {
    const stack = new cdktf.TerraformStack(cdktf.Testing.app(), 'shop');
    installProviderOnSynth(stack, { bundle: standIn(tmp()), version: VERSION });
    cdktf.Testing.synth(stack);
    expect(installedOnSynth(stack)).toBeUndefined();
    const outdir = cdktf.Testing.fullSynth(stack);
    expect(
      fs.existsSync(path.join(outdir, 'stacks', 'shop', mirrorPackageDir(VERSION, 'linux_amd64'))),
    ).toBe(true);
  });

  test('a missing bundle fails the synth with provider_package_missing', () => {
    const app = new cdktf.App({ outdir: tmp(), skipValidation: true });
    const stack = new cdktf.TerraformStack(app, 'shop');
    installProviderOnSynth(stack, { bundle: '/nonexistent/provider.js', version: VERSION });
    expect(() => app.synth()).toThrow(
      expect.objectContaining({ code: 'provider_package_missing' }),
    );
  });

  test('a stack requiring another version of the provider fails the synth, saying which to declare', () => {
    const app = new cdktf.App({ outdir: tmp(), skipValidation: true });
    const stack = new cdktf.TerraformStack(app, 'shop');
    stack.addOverride('terraform.required_providers.alooma', {
      source: PROVIDER_SOURCE,
      version: '9.9.9',
    });
    installProviderOnSynth(stack, { bundle: standIn(tmp()), version: VERSION });
    expect(() => app.synth()).toThrow(
      expect.objectContaining({
        code: 'conflicting_properties',
        message: `stacks/shop requires ${PROVIDER_SOURCE} version "9.9.9", but the provider it ships is ${VERSION}`,
        hint: expect.stringContaining('require exactly version "0.1.0"'),
      }),
    );
    expect(installedOnSynth(stack)).toBeUndefined();
  });

  test('both cores type-check as a SynthesizableStack', () => {
    const stacks: SynthesizableStack[] = [
      new cdktf.TerraformStack(cdktf.Testing.app(), 'a'),
      new cdktn.TerraformStack(cdktn.Testing.app(), 'b'),
    ];
    expect(stacks).toHaveLength(2);
  });
});

test('the HCL users declare names the source and the exact version the lock entry repeats', () => {
  expect(requiredProvidersHcl(VERSION)).toBe(
    [
      'terraform {',
      '  required_version = ">= 1.11"',
      '  required_providers {',
      '    alooma = {',
      '      source  = "alooma-cdktf.invalid/alooma/alooma"',
      '      version = "0.1.0"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
});

test('the README shows the HCL and the command the code gives, for the package version', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  expect(readme).toContain(`\`\`\`hcl\n${requiredProvidersHcl(packageVersion())}\`\`\``);
  expect(readme).toContain('alooma-cdktf provider install --dir');
  expect(readme).toContain(mirrorPackageDir(packageVersion(), 'linux_amd64'));
});

test('src/provider/install imports only node built-ins, itself and src/alooma: no CDK core, so the runtime CLI and both builds can load it', () => {
  const dir = path.join(__dirname, '../../src/provider/install');
  const imports = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) =>
      ts
        .preProcessFile(fs.readFileSync(path.join(dir, f), 'utf8'), true, true)
        .importedFiles.map(({ fileName }) => `${f}: ${fileName}`),
    );
  expect(imports.length).toBeGreaterThan(10);
  expect(
    imports.filter((i) => !/: (node:[a-z_]+|\.\/[a-z-]+|\.\.\/\.\.\/alooma\/[a-z-]+)$/.test(i)),
  ).toEqual([]);
});

// ---- helpers ----

/** A stand-in provider bundle: prints where it runs from and its arguments, as JSON. */
function standIn(dir: string): string {
  const file = path.join(dir, 'provider.js');
  fs.writeFileSync(
    file,
    'process.stdout.write(JSON.stringify({ bundle: __filename, args: process.argv.slice(2) }));\n',
  );
  return file;
}

/** Declares the provider in `required_providers`, as the constructs will. */
function declareProvider(core: typeof cdktf, stack: cdktf.TerraformStack): void {
  const Provider = class extends core.TerraformProvider {};
  new Provider(stack, 'alooma', {
    terraformResourceType: 'alooma',
    terraformProviderSource: PROVIDER_SOURCE,
    terraformGeneratorMetadata: { providerName: 'alooma', providerVersion: VERSION },
  });
}

/** Every file under `dir`: relative path to content and mode. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesUnder(dir).map((file) => [
      path.relative(dir, file),
      `${(fs.statSync(file).mode & 0o777).toString(8)} ${fs.readFileSync(file, 'base64')}`,
    ]),
  );
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-install-'));
}
