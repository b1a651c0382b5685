#!/usr/bin/env node
// `npm start`: deploys the example stack (main.ts) with `cdktf deploy`.
// Without ALOOMA_API_URL it targets the embedded emulator: it reuses one
// already listening on 127.0.0.1:8787 (or ALOOMA_EMULATOR_PORT), or starts
// one on the persistent data directory .alooma-local/ (or
// ALOOMA_EMULATOR_DATA_DIR) for the duration of the deploy. Then it prints
// the resulting inputs.
//
// Output order: the emulator's startup lines are printed once, when it has
// started; its later output is passed through as it comes (commands run
// asynchronously, so nothing waits in the pipe while they run); and the
// "emulator stopped" line comes after the emulator has exited.
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const EMULATOR_PORT = process.env.ALOOMA_EMULATOR_PORT || '8787';
const EMULATOR_URL = `http://127.0.0.1:${EMULATOR_PORT}`;
const EMULATOR_DATA_DIR = process.env.ALOOMA_EMULATOR_DATA_DIR || '.alooma-local';
/** The last line the emulator prints when it has started (src/emulator/main.ts). */
const STARTED_LINE = /^Web console: .*$/m;
const STOP_TIMEOUT_MS = 10_000;

/** Runs a command to its end, output inherited; resolves its exit code. */
function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function emulatorIsUp(url) {
  try {
    const res = await fetch(`${url}/rest/repository`, { signal: AbortSignal.timeout(1000) });
    return res.status === 401 || res.ok; // it answers: it is there
  } catch {
    return false;
  }
}

/** Starts the emulator; resolves once it has printed its startup lines (printed here once). */
function startEmulator() {
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist/emulator.js'), '--port', EMULATOR_PORT, '--data-dir', EMULATOR_DATA_DIR],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    let startup = '';
    const onStartup = (chunk) => {
      startup += chunk;
      if (!STARTED_LINE.test(startup)) return;
      // Started: print what came so far, once; from now on pass output through as it comes.
      child.stdout.off('data', onStartup);
      child.off('exit', onEarlyExit);
      process.stdout.write(startup);
      child.stdout.on('data', (later) => process.stdout.write(later));
      resolve({ child, exited });
    };
    const onEarlyExit = (code) => {
      process.stdout.write(startup);
      reject(new Error(`the emulator exited with ${code} before it started`));
    };
    child.stdout.on('data', onStartup);
    child.once('exit', onEarlyExit);
  });
}

/** SIGTERM, then waits for the emulator's exit (and its last output). */
async function stopEmulator({ child, exited }) {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function main() {
  if ((await run(process.execPath, ['scripts/bundle-runtime.js'], process.env)) !== 0) return 1;
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
    const code = await run(cdktf, ['deploy', '--auto-approve'], env);
    if (code !== 0) return code;
    console.log('\nInputs in Alooma now:');
    const viewed = await run(process.execPath, ['dist/runtime.js', 'inputs', 'view'], env);
    console.log(
      `\nWeb console: ${EMULATOR_URL}/ (sign in as demo@example.com / demo)` +
        (emulator ? '; run `npm run emulator` to keep the emulator up and browse it' : ''),
    );
    return viewed;
  } finally {
    if (emulator) {
      await stopEmulator(emulator);
      console.log(
        `\nThe emulator stopped; its data stays in ${EMULATOR_DATA_DIR}/. Run \`npm run emulator\` to keep one running.`,
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
