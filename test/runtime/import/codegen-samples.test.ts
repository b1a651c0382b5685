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

/** Runs the generated module's `importedInputs` in a validated stack of `engine`; its synthesized JSON. */
function synthGenerated(engine: ImportEngine) {
  const { code, unsupported } = generateImportCode(SAMPLES, {
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
  return { synthesized: JSON.parse(Testing.synth(stack, true)), unsupported };
}

test('GIVEN the sample account WHEN its engine-provider code runs THEN it synthesizes, one import block per input it declares', () => {
  const { synthesized, unsupported } = synthGenerated('provider');
  const declared = SAMPLES.filter((n) => !unsupported.some((u) => u.input === n.name));
  expect((synthesized.import as Array<{ id: string; to: string }>).map((i) => i.id).sort()).toEqual(
    declared.map((n) => n.id).sort(),
  );
  // the two OAuth inputs: commented out, their secret named
  expect(unsupported).toEqual([
    { input: 'salesforce_production', fields: ['oauth2'] },
    { input: 'team_sheets', fields: ['oauth2'] },
  ]);
});

test('GIVEN the sample account WHEN its engine-terraform_data code runs THEN it synthesizes every input, with no import block', () => {
  const { synthesized, unsupported } = synthGenerated('terraform_data');
  expect(synthesized.import).toBeUndefined();
  expect(unsupported).toEqual([]);
  expect(Object.keys(synthesized.resource.terraform_data)).toHaveLength(SAMPLES.length + 1);
});
