/**
 * Each rule of the Alooma API lives once, in src/alooma; the other layers
 * call it. Checked on the syntax trees of the sources (comments and prose in
 * messages do not count), so a copy of a rule fails here, not in production:
 * - system input types are recognised by `isSystemInputType` (any case),
 *   never by a case-sensitive `SYSTEM_INPUT_TYPES.has`;
 * - "is a live input" is `isInputNode`, never a comparison with `'INPUT'`;
 * - input types are the constants of src/alooma/input-types.ts, never
 *   string literals (`'ODBC'`, `'S3'`, `'RESTREAM'`);
 * - the secret path of a REST parameter, `parameters.<name>.value`, is
 *   built and parsed by src/alooma/secret-fields.ts, never by a template or
 *   a regular expression of its own.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { CREATABLE_INPUT_TYPES, SYSTEM_INPUT_TYPES } from '../../src/alooma/input-types';

const SRC = path.join(__dirname, '..', '..', 'src');
const RULES_HOME = 'alooma';

/** Every .ts file under src/ outside src/alooma, parsed. */
function sourcesOutsideRulesHome(): ts.SourceFile[] {
  const files: ts.SourceFile[] = [];
  for (const entry of fs.readdirSync(SRC, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(SRC, file);
    if (relative.startsWith(`${RULES_HOME}${path.sep}`)) continue;
    files.push(
      ts.createSourceFile(relative, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true),
    );
  }
  return files;
}

/** `file:line: text` of every node of every source for which `matches` holds. */
function findings(matches: (node: ts.Node) => boolean): string[] {
  const out: string[] = [];
  for (const source of sourcesOutsideRulesHome()) {
    const visit = (node: ts.Node): void => {
      if (matches(node)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        out.push(`${source.fileName}:${line + 1}: ${node.getText(source)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}

function isStringLiteral(node: ts.Node): node is ts.StringLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

const COMPARISONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.QuestionQuestionToken,
]);

test('the sources outside src/alooma are read (the checks below see code)', () => {
  const files = sourcesOutsideRulesHome().map((s) => s.fileName);
  expect(files).toEqual(
    expect.arrayContaining([
      path.join('constructs', 's3-input.ts'),
      path.join('runtime', 'reconcile', 'plan.ts'),
      path.join('emulator', 'nodes.ts'),
    ]),
  );
});

test('no case-sensitive system type check (SYSTEM_INPUT_TYPES.has) outside src/alooma', () => {
  expect(
    findings(
      (node) =>
        ts.isPropertyAccessExpression(node) &&
        node.name.text === 'has' &&
        node.expression.getText() === 'SYSTEM_INPUT_TYPES',
    ),
  ).toEqual([]);
});

test("no comparison with a literal 'INPUT' category outside src/alooma (isInputNode)", () => {
  expect(
    findings(
      (node) =>
        ts.isBinaryExpression(node) &&
        COMPARISONS.has(node.operatorToken.kind) &&
        [node.left, node.right].some((side) => isStringLiteral(side) && side.text === 'INPUT'),
    ),
  ).toEqual([]);
});

test('no input type written as a string literal outside src/alooma (AloomaInputType)', () => {
  const types = new Set<string>([...CREATABLE_INPUT_TYPES, ...SYSTEM_INPUT_TYPES]);
  expect(types.has('ODBC') && types.has('RESTREAM')).toBe(true);
  expect(findings((node) => isStringLiteral(node) && types.has(node.text))).toEqual([]);
});

test('no secret path parameters.<name>.value built or parsed outside src/alooma', () => {
  expect(
    findings(
      (node) =>
        (ts.isTemplateExpression(node) && node.head.text.endsWith('parameters.')) ||
        (node.kind === ts.SyntaxKind.RegularExpressionLiteral &&
          node.getText().includes('parameters\\.')),
    ),
  ).toEqual([]);
});
