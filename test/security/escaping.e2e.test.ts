/**
 * User text never runs as Terraform: names, table names (map keys) and the
 * literal text around references are data in both engines. Each engine's
 * synthesized configuration is planned by the real terraform (1.11) and the
 * planned values (`terraform show -json`) must hold the text exactly as
 * written: no file read, no variable printed, no directive run.
 *
 * The null_resource engine needs the hashicorp/null provider, which cannot be
 * downloaded here. Its triggers are strings that Terraform evaluates as
 * templates, whatever the resource; so the test evaluates the very same
 * synthesized strings (byte for byte) as the `input` of a built-in
 * `terraform_data` (resource type, `triggers` -> `input`, `self.triggers` ->
 * `self.input`, provider blocks dropped) and checks that every planned
 * trigger is a string, as `null_resource`'s `map(string)` requires.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack, TerraformVariable, Token } from 'cdktf';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaInput,
  AloomaSecret,
  type AloomaEngine,
} from '../../src/constructs';
import { RUNTIME_BUNDLE_CONTEXT_KEY } from '../../src/constructs/private/runtime-bundle';
import { RUNTIME_STUB } from '../constructs/helpers';
import { terraformOk } from '../helpers/terraform';

jest.setTimeout(300_000);

const PW = 'Escaping-Canary-Pw-4471';
/** A file whose content shows in the plan if Terraform ever reads it. */
const CANARY_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-escaping-'));
const CANARY_FILE = path.join(CANARY_DIR, 'canary');
const CANARY_TEXT = 'canary-file-was-read-9931';
fs.writeFileSync(CANARY_FILE, CANARY_TEXT);

/** Hostile literal text: each must come out of Terraform exactly as written. */
const EVIL_NAME = '${nonsensitive(var.pw)}';
const FILE_READ = `pre-\${file(${JSON.stringify(CANARY_FILE)})}-`;
const DIRECTIVE = 'u%{ if true }IF-RAN%{ endif }-';
const ESCAPED = 'keep-$${x}-%%{y}-';
const QUOTES = 'q"\\n\\"-';
const DOLLAR = 'cost$';
const PERCENT = 'rate%';

function stackFor(engine: AloomaEngine): { dir: string } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `alooma-escaping-${engine}-`));
  const app = new App({ outdir, context: { [RUNTIME_BUNDLE_CONTEXT_KEY]: RUNTIME_STUB } });
  const stack = new TerraformStack(app, 'escaping');
  new AloomaConnection(stack, 'Alooma', { apiUrl: 'http://127.0.0.1:1', engine });
  const env = new TerraformVariable(stack, 'env', { type: 'string' });
  const pw = new TerraformVariable(stack, 'pw', { type: 'string', sensitive: true });
  const tables = new TerraformVariable(stack, 'tables', { type: 'map(string)' });
  const e = env.stringValue;
  new AloomaDatabaseInput(stack, 'Evil', {
    name: EVIL_NAME,
    source: {
      server: FILE_READ + e,
      port: 5432,
      database: ESCAPED + e,
      dbType: 'psql',
      user: DIRECTIVE + e,
      password: AloomaSecret.fromTerraform(pw.stringValue),
    },
    tables: { [EVIL_NAME]: 'id', [DIRECTIVE]: e, [QUOTES]: QUOTES + e },
  });
  // Table names (keys) merged with a map from Terraform: rendered as HCL by Fn.merge.
  const merged = new AloomaDatabaseInput(stack, 'Merged', {
    name: `merged ${EVIL_NAME}`,
    source: {
      server: DOLLAR + e,
      port: 5432,
      database: PERCENT + e,
      dbType: 'psql',
      user: 'u',
      password: AloomaSecret.fromEnv('MERGED_PW'),
    },
    tables: Token.asStringMap(tables.value),
  });
  merged.addTable(EVIL_NAME, DIRECTIVE + 'x');
  merged.addTable(QUOTES, 'id');
  new AloomaInput(stack, 'Plain', {
    name: `plain ${DIRECTIVE}`,
    type: 'RESTAPI',
    configuration: { url: QUOTES + e + DOLLAR + e + FILE_READ },
  });
  app.synth();
  return { dir: path.join(outdir, 'stacks', 'escaping') };
}

/** The null_resource configuration as terraform_data, its strings untouched (see the file comment). */
function asTerraformData(dir: string): void {
  const file = path.join(dir, 'cdk.tf.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  const resources = config.resource.null_resource as Record<string, Record<string, unknown>>;
  for (const resource of Object.values(resources)) {
    resource.input = resource.triggers;
    delete resource.triggers;
    delete resource.provider;
  }
  config.resource = { terraform_data: resources };
  delete config.provider;
  delete config.terraform.required_providers;
  const text = JSON.stringify(config)
    .replace(/null_resource\./g, 'terraform_data.')
    .replace(/self\.triggers\b/g, 'self.input');
  fs.writeFileSync(file, text);
}

/** Planned `after` values by resource name, and the plan's text. */
function plan(dir: string): { after: Record<string, any>; text: string } {
  const vars = { TF_VAR_env: 'dev', TF_VAR_pw: PW, TF_VAR_tables: '{"from_tf"="id"}' };
  terraformOk(dir, ['init', '-input=false', '-no-color']);
  const text = terraformOk(
    dir,
    ['plan', '-input=false', '-no-color', '-out=plan.out'],
    vars,
  ).output;
  const json = JSON.parse(terraformOk(dir, ['show', '-json', 'plan.out']).stdout);
  const after: Record<string, any> = {};
  for (const change of json.resource_changes) after[change.name] = change.change.after;
  return { after, text };
}

const expectedEvil = {
  server: `pre-\${file(${JSON.stringify(CANARY_FILE)})}-dev`,
  database: 'keep-$${x}-%%{y}-dev',
  user: 'u%{ if true }IF-RAN%{ endif }-dev',
  tables: { [EVIL_NAME]: 'id', [DIRECTIVE]: 'dev', [QUOTES]: `${QUOTES}dev` },
};
const expectedMerged = {
  server: 'cost$dev',
  database: 'rate%dev',
  tables: { from_tf: 'id', [EVIL_NAME]: `${DIRECTIVE}x`, [QUOTES]: 'id' },
};
const expectedUrl = `${QUOTES}dev${DOLLAR}dev${FILE_READ}`;

/** What the reconciler hands the runtime: the references' values by id. */
const expectedReferences = {
  [`${EVIL_NAME}/configuration/server`]: expectedEvil.server,
  [`${EVIL_NAME}/configuration/database`]: expectedEvil.database,
  [`${EVIL_NAME}/configuration/user`]: expectedEvil.user,
  [`${EVIL_NAME}/configuration/tables/${DIRECTIVE}`]: 'dev',
  [`${EVIL_NAME}/configuration/tables/${QUOTES}`]: `${QUOTES}dev`,
  [`merged ${EVIL_NAME}/configuration/server`]: expectedMerged.server,
  [`merged ${EVIL_NAME}/configuration/database`]: expectedMerged.database,
  [`merged ${EVIL_NAME}/configuration/tables`]: expectedMerged.tables,
  [`plain ${DIRECTIVE}/configuration/url`]: expectedUrl,
};

function expectNothingEvaluated(text: string): void {
  expect(text).not.toContain(CANARY_TEXT);
  expect(text).not.toContain(PW);
  expect(text).not.toContain('IF-RAN-');
}

describe('user text is data in the terraform_data engine (terraform plan)', () => {
  let after: Record<string, any>;
  let text: string;
  beforeAll(() => {
    const { dir } = stackFor('terraform_data');
    ({ after, text } = plan(dir));
  });

  test('names and table names (keys) come out as written', () => {
    expect(after.Evil.triggers_replace.name).toBe(EVIL_NAME);
    expect(after.Merged.triggers_replace.name).toBe(`merged ${EVIL_NAME}`);
    expect(after.Plain.triggers_replace.name).toBe(`plain ${DIRECTIVE}`);
    const reconciler = after.AloomaReconciler;
    expect(reconciler.triggers_replace.names).toEqual(
      [EVIL_NAME, `merged ${EVIL_NAME}`, `plain ${DIRECTIVE}`].sort(),
    );
  });

  test('the literal text around references comes out as written, in the input and the references', () => {
    expect(after.Evil.input.configuration).toMatchObject(expectedEvil);
    expect(after.Merged.input.configuration).toMatchObject(expectedMerged);
    expect(after.Plain.input.configuration.url).toBe(expectedUrl);
    const reconciler = after.AloomaReconciler;
    expect(reconciler.triggers_replace.references).toEqual(expectedReferences);
    expect(Object.keys(reconciler.triggers_replace.secrets_sha256)).toEqual([
      `${EVIL_NAME}/password`,
    ]);
    expectNothingEvaluated(text);
  });
});

describe('user text is data in the null_resource engine (its strings planned by terraform)', () => {
  let after: Record<string, any>;
  let text: string;
  beforeAll(() => {
    const { dir } = stackFor('null_resource');
    asTerraformData(dir);
    ({ after, text } = plan(dir));
  });

  test('every trigger is a string, as null_resource requires', () => {
    for (const [name, values] of Object.entries(after)) {
      for (const [key, value] of Object.entries(values.input as Record<string, unknown>))
        expect([name, key, typeof value]).toEqual([name, key, 'string']);
    }
  });

  test('names and table names (keys) come out as written', () => {
    expect(after.Evil.input.name).toBe(EVIL_NAME);
    expect(after.Merged.input.name).toBe(`merged ${EVIL_NAME}`);
    expect(after.Plain.input.name).toBe(`plain ${DIRECTIVE}`);
    const reconciler = after.AloomaReconciler;
    expect(JSON.parse(reconciler.input.names)).toEqual(
      [EVIL_NAME, `merged ${EVIL_NAME}`, `plain ${DIRECTIVE}`].sort(),
    );
  });

  test('the literal text around references comes out as written, in the input and the references', () => {
    expect(JSON.parse(after.Evil.input.input).configuration).toMatchObject(expectedEvil);
    expect(JSON.parse(after.Merged.input.input).configuration).toMatchObject(expectedMerged);
    expect(JSON.parse(after.Plain.input.input).configuration.url).toBe(expectedUrl);
    const reconciler = after.AloomaReconciler;
    expect(JSON.parse(reconciler.input.references)).toEqual(expectedReferences);
    expect(Object.keys(JSON.parse(reconciler.input.secrets_sha256))).toEqual([
      `${EVIL_NAME}/password`,
    ]);
    expectNothingEvaluated(text);
  });
});
