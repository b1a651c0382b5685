/**
 * The apply's report (written by the step that holds secrets, printed by the
 * next one) shows a field from Terraform as "(from Terraform)" unless
 * Terraform told the stack that its value is not sensitive: its new value,
 * its old (live) value, and the value wherever else it is quoted.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OutputCapture, hiddenReferences, hideValues } from '../../src/runtime/cli/report-file';
import { compactLine, detailLines } from '../../src/runtime/reconcile/report';
import type { InputPlan } from '../../src/runtime/reconcile/plan';

const SENSITIVE_NEW = 'Sensitive-Db-Name-New-2291';
const SENSITIVE_OLD = 'Sensitive-Db-Name-Old-1187';
const LONG = `Long-Sensitive-${'x'.repeat(90)}`;

const env = {
  ALOOMA_CDKTF_REFERENCES: JSON.stringify({
    'orders_db/configuration/database': SENSITIVE_NEW,
    'orders_db/configuration/server': 'prod-db.internal',
    'orders_db/configuration/tables': { orders: LONG },
  }),
  ALOOMA_CDKTF_PLAIN_REFERENCES: JSON.stringify({
    'orders_db/configuration/database': false,
    'orders_db/configuration/server': true,
  }),
};

function updatePlan(): InputPlan {
  return {
    name: 'orders_db',
    kind: 'update',
    secretsToWrite: [],
    diff: {
      changed: [
        { kind: 'changed', path: ['database'], from: SENSITIVE_OLD, to: SENSITIVE_NEW },
        { kind: 'changed', path: ['server'], from: 'dev-db.internal', to: 'prod-db.internal' },
      ],
      added: [{ kind: 'added', path: ['tables', 'orders'], to: LONG }],
      removed: [],
      matching: [],
    },
  };
}

describe('GIVEN references of which Terraform knows one not to be sensitive', () => {
  test('THEN the others are hidden, and all of them when the stack says nothing', () => {
    expect(Object.keys(hiddenReferences(env)).sort()).toEqual([
      'orders_db/configuration/database',
      'orders_db/configuration/tables',
    ]);
    expect(
      Object.keys(hiddenReferences({ ALOOMA_CDKTF_REFERENCES: env.ALOOMA_CDKTF_REFERENCES })),
    ).toHaveLength(3);
  });

  test('WHEN the apply reports an update THEN hidden fields show "(from Terraform)", old values too, plain ones their values', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'alooma-report-')), 'r.json');
    const capture = new OutputCapture(env);
    process.stdout.write(`${compactLine(updatePlan())}\n`);
    process.stdout.write(`${detailLines(updatePlan()).join('\n')}\n`);
    // an error that quotes the value, and the value cut short by the renderer
    process.stderr.write(`error: database "${SENSITIVE_NEW}" refused; ${LONG.slice(0, 40)}...\n`);
    capture.finish(file, 1);
    const report = fs.readFileSync(file, 'utf8');
    for (const secret of [SENSITIVE_NEW, SENSITIVE_OLD, LONG.slice(0, 20)])
      expect(report).not.toContain(secret);
    expect(report).toContain('database (from Terraform) -> (from Terraform)');
    expect(report).toContain('server \\"dev-db.internal\\" -> \\"prod-db.internal\\"');
    expect(report).toContain('+ tables.orders = (from Terraform)');
    expect(JSON.parse(report).exitCode).toBe(1);
  });

  test('WHEN a hidden value is quoted, JSON-escaped or cut short THEN it is replaced', () => {
    const hidden = ['a"b-secret-value', JSON.stringify('a"b-secret-value').slice(1, -1)];
    expect(hideValues('x a\\"b-secret-value y; "a\\"b-secr..."', hidden)).toBe(
      'x (from Terraform) y; "(from Terraform)..."',
    );
  });
});
