#!/usr/bin/env node
// Bundles the runtime CLI and the emulator into single files under dist/.
// dist/runtime.js is what terraform's local-exec runs: it must need nothing
// but `node`, so every dependency is inlined. dist/emulator.js keeps
// better-sqlite3 external (a native addon cannot be bundled); it is loaded
// only by the `emulator` subcommand. dist/provider.js is the Terraform
// provider (src/provider/main.ts): self-contained like the runtime, with its
// protocol definitions (src/provider/wire/proto/*.proto) inlined as text.
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const version = require(path.join(root, 'package.json')).version;
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
};

/** The provider's .proto files by name, for src/provider/wire/protos.ts. */
function providerProtos() {
  const dir = path.join(root, 'src/provider/wire/proto');
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.proto'))
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

async function main() {
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'src/runtime/cli/main.ts')],
      outfile: path.join(root, 'dist/runtime.js'),
      minify: true,
      define: { __PACKAGE_VERSION__: JSON.stringify(version) },
      // The emulator bundle is a sibling file, loaded only on demand.
      external: ['./emulator.js'],
      // See scripts/stubs/mime-db.js: no file uploads, so no MIME database.
      alias: { 'mime-db': path.join(root, 'scripts/stubs/mime-db.js') },
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'src/provider/main.ts')],
      outfile: path.join(root, 'dist/provider.js'),
      minify: true,
      define: { __PROVIDER_PROTOS__: JSON.stringify(providerProtos()) },
    }),
    esbuild.build({
      ...common,
      entryPoints: [path.join(root, 'src/emulator/main.ts')],
      outfile: path.join(root, 'dist/emulator.js'),
      external: ['better-sqlite3'],
    }),
  ]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
