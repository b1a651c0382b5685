/**
 * The code `alooma-cdktf import` writes for the reference sample account,
 * compiled and run against the constructs in a stack of each engine, with
 * the stack's validations: what a user pastes must synthesize.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Testing } from 'cdktf';
import * as constructsLibrary from 'constructs';
import * as ts from 'typescript';
import * as constructs from '../../../src/constructs';
import type { AloomaEngine } from '../../../src/constructs/connection';
import { AloomaNode } from '../../../src/runtime/client/types';
import { generateImportCode, ImportEngine } from '../../../src/runtime/import/codegen';
import { SAMPLES_FILE } from '../../helpers/samples';
import { testStack } from '../../constructs/helpers';

const SAMPLES: AloomaNode[] = JSON.parse(fs.readFileSync(SAMPLES_FILE, 'utf8'));

/** Runs the code generated for `inputs` in a validated stack of `engine`; its synthesized JSON. */
function synthGenerated(engine: ImportEngine, inputs: AloomaNode[] = SAMPLES) {
  const { code } = generateImportCode(inputs, {
    engine,
    moduleName: path.resolve(__dirname, '../../../src/constructs'),
  });
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS },
  }).outputText;
  const module = { exports: {} as { importedInputs?: (scope: unknown) => void } };
  const load = (name: string) => (name === 'constructs' ? constructsLibrary : constructs);
  new Function('require', 'module', 'exports', js)(load, module, module.exports);
  const stack = testStack();
  new constructs.AloomaConnection(stack, 'Alooma', { engine: engine as AloomaEngine });
  module.exports.importedInputs!(stack);
  return JSON.parse(Testing.synth(stack, true));
}

/** The one resource of `type` in `synthesized` whose `name` is `name`. */
function resourceNamed(synthesized: any, type: string, name: string): Record<string, any> {
  const found = Object.values(synthesized.resource[type] ?? {}).filter((r: any) => r.name === name);
  expect(found).toHaveLength(1);
  return found[0] as Record<string, any>;
}

/** The samples with a header on the REST input and extra fields on it and on the database input. */
const WITH_EXTRAS: AloomaNode[] = SAMPLES.map((n) =>
  n.name === 'mixpanel_engage'
    ? {
        ...n,
        configuration: {
          ...n.configuration,
          headers: [{ name: 'Accept', value: 'application/json' }],
          timeout: 30,
        },
      }
    : n.name === 'orders_db'
      ? { ...n, configuration: { ...n.configuration, custom_query: 'select 1' } }
      : n,
);

test('GIVEN the sample account WHEN its engine-provider code runs THEN it synthesizes every input, one import block each, generic secrets included', () => {
  const synthesized = synthGenerated('provider');
  expect((synthesized.import as Array<{ id: string; to: string }>).map((i) => i.id).sort()).toEqual(
    SAMPLES.map((n) => n.id).sort(),
  );
  // the two OAuth inputs: their secret from its variable, at the version the provider reads
  for (const [name, variable] of [
    ['salesforce_production', 'SALESFORCE_PRODUCTION_OAUTH2'],
    ['team_sheets', 'TEAM_SHEETS_OAUTH2'],
  ]) {
    expect(resourceNamed(synthesized, 'alooma_input', name)).toMatchObject({
      secrets_env: { oauth2: variable },
      secrets_version: { oauth2: '1' },
    });
  }
  expect(resourceNamed(synthesized, 'alooma_rest_input', 'mixpanel_engage').headers).toBe('[]');
});

test('GIVEN a REST header and extra fields WHEN the engine-provider code runs THEN headers and extra_configuration are synthesized', () => {
  const synthesized = synthGenerated('provider', WITH_EXTRAS);
  const rest = resourceNamed(synthesized, 'alooma_rest_input', 'mixpanel_engage');
  expect(JSON.parse(rest.headers)).toEqual([{ name: 'Accept', value: 'application/json' }]);
  expect(JSON.parse(rest.extra_configuration)).toEqual({ timeout: 30 });
  const db = resourceNamed(synthesized, 'alooma_database_input', 'orders_db');
  expect(JSON.parse(db.extra_configuration)).toEqual({ custom_query: 'select 1' });
});

test('GIVEN the sample account WHEN its engine-terraform_data code runs THEN it synthesizes every input, with no import block', () => {
  const synthesized = synthGenerated('terraform_data');
  expect(synthesized.import).toBeUndefined();
  expect(Object.keys(synthesized.resource.terraform_data)).toHaveLength(SAMPLES.length + 1);
});
