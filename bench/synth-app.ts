/**
 * The app the benchmarks synthesize: one stack of N database inputs with T
 * tables each, as a user would write it. Run it as cdktf.json runs main.ts
 * (`node -r ts-node/register/transpile-only bench/synth-app.ts`), with:
 *
 *   BENCH_INPUTS   number of inputs (default 10)
 *   BENCH_TABLES   tables per input (default 20)
 *   BENCH_VARIANT  0 or 1: flips the update indicator of one table of each of
 *                  the first BENCH_CHANGED inputs, so two synths differ by
 *                  exactly that many inputs (default 0)
 *   BENCH_CHANGED  inputs that differ between the variants (default 1)
 *   BENCH_ENGINE   the connection's engine, always set explicitly:
 *                  terraform_data (the default here, for the sections that
 *                  measure the provisioner engine) or provider (the
 *                  package's default engine)
 *   BENCH_SECRET   where the password comes from: env ($PG_PASSWORD at
 *                  apply; the default with terraform_data) or terraform (an
 *                  ephemeral variable `pg_password`, version "1"; the default
 *                  with provider, which refuses secrets from the environment)
 *   BENCH_API_URL  the connection's apiUrl (default: none, the runtime reads
 *                  $ALOOMA_API_URL at apply time)
 *   BENCH_REFERENCE_EVERY  every Nth input (0, N, 2N...) takes its server and
 *                  port from Terraform variables (default 0: none)
 *   CDKTF_OUTDIR   where to write (set by cdktf synth; default cdktf.out)
 *
 * It prints `synth-ms <n>` (time spent in app code + app.synth(), measured in
 * process) so the runner can tell module loading from synthesis.
 */
import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaSecret,
  ephemeralVariable,
} from '../src/constructs';

const started = process.hrtime.bigint();

const inputs = positiveInt('BENCH_INPUTS', 10);
const tables = positiveInt('BENCH_TABLES', 20);
const variant = positiveInt('BENCH_VARIANT', 0, 0);
const referenceEvery = positiveInt('BENCH_REFERENCE_EVERY', 0, 0);
const changed = positiveInt('BENCH_CHANGED', 1, 0);
const engine = engineOf(process.env.BENCH_ENGINE || 'terraform_data');
const secretFrom = process.env.BENCH_SECRET || (engine === 'provider' ? 'terraform' : 'env');
if (secretFrom !== 'env' && secretFrom !== 'terraform')
  throw new Error('BENCH_SECRET must be env or terraform');

/** N inputs of one shape, like a team that replicates many similar databases. */
class BenchInputsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AloomaConnection(this, 'Alooma', {
      ...(process.env.BENCH_API_URL ? { apiUrl: process.env.BENCH_API_URL } : {}),
      account: 'demo',
      engine,
    });
    const password =
      secretFrom === 'terraform'
        ? AloomaSecret.fromTerraform(
            ephemeralVariable(this, 'pg_password', { type: 'string' }).stringValue,
            { ephemeral: true, version: '1' },
          )
        : AloomaSecret.fromEnv('PG_PASSWORD');
    const env = new TerraformVariable(this, 'env', { type: 'string', default: 'dev' });
    const port = new TerraformVariable(this, 'port', { type: 'number', default: 5432 });
    for (let i = 0; i < inputs; i++) {
      const referenced = referenceEvery > 0 && i % referenceEvery === 0;
      const db = new AloomaDatabaseInput(this, `Db${i}`, {
        name: `bench_db_${String(i).padStart(4, '0')}`,
        source: {
          server: referenced
            ? `db${i}.${env.stringValue}.internal.example`
            : `db${i}.internal.example`,
          port: referenced ? port.numberValue : 5432,
          database: `shop_${i}`,
          schema: 'public',
          dbType: 'psql',
          user: 'alooma_reader',
          password,
        },
        defaultSchema: 'BENCH',
        batchSize: 50_000,
      });
      for (let t = 0; t < tables; t++) {
        const indicator =
          i < changed && t === 0 && variant === 1 ? 'updated_at' : 'xmin::text::bigint';
        db.addTable(`table_${t}`, indicator);
      }
    }
  }
}

const app = new App();
new BenchInputsStack(app, 'bench-inputs');
app.synth();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
console.log(`synth-ms ${ms.toFixed(1)}`);

function positiveInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min)
    throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

function engineOf(raw: string): 'terraform_data' | 'provider' {
  if (raw !== 'terraform_data' && raw !== 'provider')
    throw new Error('BENCH_ENGINE must be terraform_data or provider');
  return raw;
}
