/**
 * The Chromium the browser tests drive through playwright-core: the system's
 * (`/usr/bin/chromium`, e.g. Debian's package) when it is there, else the
 * headless Chromium that ships inside the npm package `@sparticuz/chromium`
 * (a devDependency), so `npm test` passes after `npm install` alone. Never a
 * browser downloaded at test time.
 *
 * The packaged one is unpacked once per package version into a folder of the
 * temp dir, through a staging folder renamed into place, so parallel runs
 * never launch a half-written binary.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';

/** Where the system Chromium is looked for. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
/** The package holding the fallback Chromium. */
export const PACKAGED_CHROMIUM = '@sparticuz/chromium';

/** Flags both browsers get: no network chatter, no first-run UI. */
const COMMON_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A Chromium to launch: pass `executablePath`, `args` and `env` to `chromium.launch`. */
export interface ChromiumLaunch {
  /** `system` (/usr/bin/chromium) or `packaged` (@sparticuz/chromium). */
  readonly source: 'system' | 'packaged';
  readonly executablePath: string;
  readonly args: string[];
  /** Environment of the browser process (the packaged one finds its fonts through it). */
  readonly env: Record<string, string>;
  /** What `--version` printed. */
  readonly version: string;
}

/** Options of {@link resolveChromium}; the defaults are what the tests use. */
export interface ResolveChromiumOptions {
  /** @default SYSTEM_CHROMIUM */
  readonly systemPath?: string;
  /** Folder the packaged Chromium is unpacked under. @default os.tmpdir() */
  readonly unpackRoot?: string;
}

interface SparticuzChromium {
  /** The flags it recommends for Lambda. */
  readonly args: string[];
}

/**
 * The system Chromium when present, else the packaged one (unpacked on first
 * use). Throws, saying what was tried, when neither starts: a browser test
 * must fail loudly, never skip.
 */
export async function resolveChromium(
  options: ResolveChromiumOptions = {},
): Promise<ChromiumLaunch> {
  const systemPath = options.systemPath ?? SYSTEM_CHROMIUM;
  const tried: string[] = [];
  if (fs.existsSync(systemPath)) {
    const version = versionOf(systemPath, process.env);
    if (version.ok)
      return {
        source: 'system',
        executablePath: systemPath,
        args: ['--headless', ...COMMON_ARGS],
        env: stringEnv(process.env),
        version: version.text,
      };
    tried.push(`${systemPath} does not start: ${version.text}`);
  } else {
    tried.push(`${systemPath} does not exist`);
  }
  try {
    const packaged = await unpackPackaged(options.unpackRoot ?? os.tmpdir());
    const version = versionOf(packaged.executablePath, packaged.env);
    if (version.ok) return { ...packaged, version: version.text };
    tried.push(`${packaged.executablePath} (${PACKAGED_CHROMIUM}) does not start: ${version.text}`);
  } catch (error) {
    tried.push(`${PACKAGED_CHROMIUM}: ${(error as Error).message}`);
  }
  throw new Error(
    `no Chromium for the browser tests: ${tried.join('; ')}. ` +
      `Run npm install (it installs ${PACKAGED_CHROMIUM}), or install a system Chromium at ${systemPath}.`,
  );
}

async function unpackPackaged(root: string): Promise<Omit<ChromiumLaunch, 'version'>> {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when there is no system Chromium */
  const sparticuz = require(PACKAGED_CHROMIUM) as SparticuzChromium;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const pkg = packageJsonOf(require.resolve(PACKAGED_CHROMIUM));
  const dir = path.join(root, `alooma-cdktf-chromium-${pkg.version}`);
  const executablePath = path.join(dir, 'chromium');
  if (!fs.existsSync(path.join(dir, '.complete'))) {
    // Unpacked here rather than by the package's executablePath(), which
    // writes to os.tmpdir() and returns any /tmp/chromium it finds there.
    const staging = fs.mkdtempSync(path.join(root, `alooma-cdktf-chromium-${pkg.version}-`));
    fs.chmodSync(staging, 0o755);
    const bin = path.join(pkg.dir, 'bin');
    await pipeline(
      fs.createReadStream(path.join(bin, 'chromium.br')),
      zlib.createBrotliDecompress(),
      fs.createWriteStream(path.join(staging, 'chromium'), { mode: 0o755 }),
    );
    await untarBrotli(path.join(bin, 'swiftshader.tar.br'), staging, pkg.dir);
    await untarBrotli(path.join(bin, 'fonts.tar.br'), path.join(staging, 'fonts'), pkg.dir);
    // Its fonts.conf names /tmp/fonts; ours names where the fonts are (and the system's).
    fs.mkdirSync(path.join(staging, 'fontconfig'));
    fs.writeFileSync(
      path.join(staging, 'fontconfig', 'fonts.conf'),
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
        '<fontconfig>',
        `  <dir>${path.join(dir, 'fonts', 'fonts')}</dir>`,
        '  <dir>/usr/share/fonts</dir>',
        `  <cachedir>${path.join(dir, 'fontconfig', 'cache')}</cachedir>`,
        '</fontconfig>',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(staging, '.complete'), `${PACKAGED_CHROMIUM}@${pkg.version}\n`);
    try {
      fs.renameSync(staging, dir);
    } catch {
      // Another run renamed its copy first: use that one.
      fs.rmSync(staging, { recursive: true, force: true });
      if (!fs.existsSync(path.join(dir, '.complete')))
        throw new Error(`could not unpack to ${dir}`);
    }
  }
  return {
    source: 'packaged',
    executablePath,
    // Its own flags (headless shell, no sandbox, SwiftShader) plus ours, but
    // not --single-process: there, closing one page closes the whole browser.
    args: [...new Set([...sparticuz.args, ...COMMON_ARGS])].filter((a) => a !== '--single-process'),
    env: { ...stringEnv(process.env), FONTCONFIG_PATH: path.join(dir, 'fontconfig') },
  };
}

/** The package's package.json (its `exports` do not expose it), found above its entry point. */
function packageJsonOf(entry: string): { version: string; dir: string } {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version: string };
    if (json.name === PACKAGED_CHROMIUM) return { version: json.version, dir };
  }
  throw new Error(`no package.json of ${PACKAGED_CHROMIUM} above ${entry}`);
}

/** Extracts a Brotli-compressed tarball with tar-fs, the package's own dependency. */
async function untarBrotli(file: string, into: string, packageDir: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved from the package that depends on it
  const tarFs = require(require.resolve('tar-fs', { paths: [packageDir] })) as {
    extract(dir: string): NodeJS.WritableStream;
  };
  await pipeline(fs.createReadStream(file), zlib.createBrotliDecompress(), tarFs.extract(into));
}

function versionOf(executable: string, env: NodeJS.ProcessEnv): { ok: boolean; text: string } {
  const result = spawnSync(executable, ['--version'], { encoding: 'utf8', env, timeout: 30_000 });
  if (result.error) return { ok: false, text: result.error.message };
  const text = `${result.stdout}${result.stderr}`.trim();
  return { ok: result.status === 0 && /\d+\.\d+/.test(text), text: text.split('\n')[0] };
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
}
