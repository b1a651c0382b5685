#!/usr/bin/env node
// Builds `alooma-cdktf/cdktn` from the compiled cdktf build (lib/src): one
// source, two builds. The constructs reach the CDK core only through
// src/constructs/private/core.ts, so the cdktn build is a copy of what the
// constructs load (constructs/, alooma/, runtime/ and provider/: the synth
// hook and the provider's schemas, which import no core) in which that one
// module imports `cdktn` instead of `cdktf`. Fails if any other compiled
// file still names cdktf: the copy would then mix the two cores.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const from = path.join(root, 'lib/src');
const to = path.join(root, 'lib/cdktn/src');
const CORE = 'constructs/private/core';

if (!fs.existsSync(path.join(from, `${CORE}.js`))) {
  console.error(
    `build-cdktn: ${from} has no compiled constructs; run tsc -p tsconfig.build.json first`,
  );
  process.exit(1);
}
fs.rmSync(path.join(root, 'lib/cdktn'), { recursive: true, force: true });
// provider/ and runtime/ whole: the constructs' engine "provider" loads the
// provider's resource schemas (which import the runtime's client) on first use.
for (const part of ['constructs', 'alooma', 'provider', 'runtime']) {
  fs.cpSync(path.join(from, part), path.join(to, part), { recursive: true });
}

const CORE_SPECIFIER = /(["'])cdktf\1/g;
for (const ext of ['.js', '.d.ts']) {
  const file = path.join(to, `${CORE}${ext}`);
  const text = fs.readFileSync(file, 'utf8');
  const rewritten = text
    .replace(CORE_SPECIFIER, '$1cdktn$1')
    .replace(/(["'])alooma-cdktf\1/g, '$1alooma-cdktf/cdktn$1');
  if (rewritten === text || !rewritten.includes('cdktn')) {
    console.error(`build-cdktn: ${file} did not change; is it still the one door to the core?`);
    process.exit(1);
  }
  fs.writeFileSync(file, rewritten);
}

// Nothing else may load the cdktf core, or a cdktn app would get both.
const offenders = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (
      /\.(js|d\.ts)$/.test(entry.name) &&
      /(require\(|from |import\()\s*(["'])cdktf(\/[^"']*)?\2/.test(fs.readFileSync(full, 'utf8'))
    )
      offenders.push(path.relative(root, full));
  }
};
walk(to);
if (offenders.length > 0) {
  console.error(`build-cdktn: these files still import cdktf: ${offenders.join(', ')}`);
  process.exit(1);
}
console.log(`build-cdktn: wrote ${path.relative(root, to)}`);
