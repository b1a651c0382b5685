#!/usr/bin/env node
// `npm start`: deploys the example stack (main.ts) with `cdktf deploy`.
// Without ALOOMA_API_URL it targets the embedded emulator: it reuses one
// already listening on 127.0.0.1:8787, or starts one on the persistent data
// directory .alooma-local/ for the duration of the deploy. Then it prints
// the resulting inputs.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const EMULATOR_URL = 'http://127.0.0.1:8787';

function run(command, args, env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

async function emulatorIsUp(url) {
  try {
    const res = await fetch(`${url}/rest/repository`, { signal: AbortSignal.timeout(1000) });
    return res.status === 401 || res.ok; // it answers: it is there
  } catch {
    return false;
  }
}

function startEmulator() {
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist/emulator.js'), '--data-dir', '.alooma-local'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (/listening on/.test(out)) {
        process.stdout.write(out);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
}

async function main() {
  if (run(process.execPath, ['scripts/bundle-runtime.js'], process.env) !== 0) return 1;
  const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
  let emulator;
  if (!env.ALOOMA_API_URL) {
    env.ALOOMA_API_URL = EMULATOR_URL;
    if (!env.ALOOMA_API_KEY && !env.ALOOMA_USERNAME) env.ALOOMA_API_KEY = 'demo-key';
    if (await emulatorIsUp(EMULATOR_URL))
      console.log(`Using the emulator already listening on ${EMULATOR_URL}`);
    else emulator = await startEmulator();
  }
  // The example's secrets are read from these variables at apply time (main.ts);
  // demo values unless you set your own.
  env.ORDERS_DB_PASSWORD = env.ORDERS_DB_PASSWORD ?? 'demo-orders-db-password';
  env.MIXPANEL_API_SECRET = env.MIXPANEL_API_SECRET ?? 'demo-mixpanel-secret';
  try {
    const cdktf = path.join(root, 'node_modules/.bin/cdktf');
    const code = run(cdktf, ['deploy', '--auto-approve'], env);
    if (code !== 0) return code;
    console.log('\nInputs in Alooma now:');
    const viewed = run(process.execPath, ['dist/runtime.js', 'inputs', 'view'], env);
    console.log(
      `\nWeb console: ${EMULATOR_URL}/ (sign in as demo@example.com / demo)` +
        (emulator ? '; run `npm run emulator` to keep the emulator up and browse it' : ''),
    );
    return viewed;
  } finally {
    if (emulator) {
      emulator.kill('SIGTERM');
      console.log(
        '\nThe emulator stopped; its data stays in .alooma-local/. Run `npm run emulator` to keep one running.',
      );
    }
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  },
);
