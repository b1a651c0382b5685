/**
 * The dependency rule of docs/ARCHITECTURE.md, checked on the sources:
 * src/alooma (the API's rules) imports nothing else of the project; the
 * emulator never imports the runtime or the constructs; the runtime never
 * imports the constructs or the CDK core (it runs inside terraform, where
 * neither is installed); within the runtime, the CLI is the top: nothing
 * else of the runtime imports it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', 'src');

/** Every import of every .ts file under `layer`, as [file, resolved target or package]. */
function importsOf(layer: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const dir = path.join(SRC, layer);
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      const target = fileName.startsWith('.')
        ? path.relative(SRC, path.resolve(path.dirname(file), fileName))
        : fileName;
      out.push([path.relative(SRC, file), target]);
    }
  }
  return out;
}

const PROJECT_LAYERS = ['alooma', 'constructs', 'runtime', 'emulator', 'provider'];
const layerOf = (target: string) => PROJECT_LAYERS.find((l) => target.startsWith(`${l}/`));

test.each([
  ['alooma', ['constructs', 'runtime', 'emulator'], ['cdktf', 'constructs', 'axios', 'fastify']],
  ['emulator', ['constructs', 'runtime'], ['cdktf', 'constructs', 'axios']],
  ['runtime', ['constructs', 'emulator'], ['cdktf', 'constructs']],
  // The provider runs inside terraform like the runtime, on the runtime's client.
  ['provider', ['constructs', 'emulator'], ['cdktf', 'cdktn', 'constructs']],
])('src/%s imports none of %j and no package of %j', (layer, layers, packages) => {
  const imports = importsOf(layer);
  expect(imports.length).toBeGreaterThan(0);
  const wrong = imports.filter(
    ([, target]) =>
      layers.includes(layerOf(target) ?? '') ||
      packages.some(
        (p) => target === p || target.startsWith(`${p}/`) || target.startsWith(`@${p}`),
      ),
  );
  expect(wrong).toEqual([]);
});

test('src/alooma imports only node built-ins and itself', () => {
  const outside = importsOf('alooma').filter(
    ([, target]) => layerOf(target) !== 'alooma' && !target.startsWith('node:'),
  );
  expect(outside).toEqual([]);
});

test('src/constructs reaches the runtime only through its contract, runtime/protocol.ts', () => {
  const runtimeImports = importsOf('constructs').filter(([, t]) => layerOf(t) === 'runtime');
  expect(runtimeImports.length).toBeGreaterThan(0);
  expect(runtimeImports.filter(([, t]) => t !== 'runtime/protocol')).toEqual([]);
});

test('the CDK core is imported in one place, src/constructs/private/core.ts (two builds, one source)', () => {
  const core = importsOf('constructs').filter(([, t]) => t === 'cdktf' || t.startsWith('cdktf/'));
  expect(core.map(([file]) => file)).toEqual([
    'constructs/private/core.ts',
    'constructs/private/core.ts',
  ]);
});

test('nothing in src/runtime outside src/runtime/cli imports from src/runtime/cli (the CLI is the top of the runtime)', () => {
  const imports = importsOf('runtime');
  const fromCli = imports.filter(([, target]) => target.startsWith('runtime/cli/'));
  // The CLI does import itself: the rule is checked on real edges.
  expect(fromCli.some(([file]) => file.startsWith('runtime/cli/'))).toBe(true);
  expect(fromCli.filter(([file]) => !file.startsWith('runtime/cli/'))).toEqual([]);
});

test("the provider's wire and framework import nothing else of the project (a resource never sees protobuf; the wire never sees a resource)", () => {
  const sub = (target: string) => target.split('/').slice(0, 2).join('/');
  const wire = importsOf('provider/wire').filter(
    ([, t]) => layerOf(t) !== undefined && sub(t) !== 'provider/wire',
  );
  expect(wire).toEqual([]);
  const framework = importsOf('provider/framework').filter(
    ([, t]) =>
      layerOf(t) !== undefined && !['provider/wire', 'provider/framework'].includes(sub(t)),
  );
  expect(framework).toEqual([]);
  // Resources reach the wire only for its plain value types and diagnostics, never the gRPC server.
  const resources = importsOf('provider/resources').filter(([, t]) =>
    ['provider/wire/server', 'provider/wire/messages', 'provider/wire/protos'].includes(t),
  );
  expect(resources).toEqual([]);
});

test('the runtime reaches the provider only through its installer (the `provider install` command)', () => {
  const toProvider = importsOf('runtime').filter(([, t]) => layerOf(t) === 'provider');
  expect(toProvider.length).toBeGreaterThan(0);
  expect(toProvider.filter(([, t]) => !t.startsWith('provider/install/'))).toEqual([]);
});
