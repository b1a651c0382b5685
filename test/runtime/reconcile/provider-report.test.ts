/**
 * The live report of a `provider` stack: only what Terraform's refresh and
 * plan cannot show. Each case is a code input, a state entry and a live
 * structure; the report must decide as the provider's create does.
 */
import { MARKER_FIELD, ProviderLiveDiffStack } from '../../../src/runtime/protocol';
import { LiveInput } from '../../../src/runtime/reconcile/plan';
import { providerFindings, providerReport } from '../../../src/runtime/reconcile/provider-report';

const OWNER = 'shop';
const FREE = 'Rename the input in the code, or free the name in Alooma.';
const IMPORT =
  'Rename the input in the code, or manage that input here: import it by id (an import {} block, resource.importFrom("b1")).';

function live(id: string, name: string, owner?: string, type = 'RESTAPI'): LiveInput {
  return {
    id,
    name,
    type,
    category: 'INPUT',
    configuration: owner === undefined ? {} : { [MARKER_FIELD]: JSON.stringify({ owner }) },
  };
}

function stack(
  inputs: Array<[name: string, address: string, type?: string]>,
  state: Array<[address: string, id: string, name: string, retain?: boolean]> = [],
): ProviderLiveDiffStack {
  return {
    engine: 'provider',
    owner: OWNER,
    connection: {},
    inputs: inputs.map(([name, address, type]) => ({ name, address, type: type ?? 'RESTAPI' })),
    state: state.map(([address, id, name, retain]) => ({ address, id, name, retain: !!retain })),
  };
}

describe('providerReport', () => {
  test('GIVEN every input in state and live WHEN reported THEN one info line and nothing blocked', () => {
    const report = providerReport(
      stack([['hook', 'alooma_input.Hook']], [['alooma_input.Hook', 'a1', 'hook']]),
      [live('a1', 'hook', OWNER)],
    );
    expect(report).toMatchObject({ level: 'info', quiet: true, blocked: [] });
    expect(report.lines).toEqual([
      "alooma (shop): 1 input(s) checked against live Alooma: no adoption, conflict or orphan (Terraform's plan shows drift).",
    ]);
  });

  test("GIVEN a lost state and this owner's input of the name WHEN reported THEN the create adopts it, by id", () => {
    const report = providerReport(stack([['hook', 'alooma_input.Hook']]), [
      live('a1', 'hook', OWNER),
    ]);
    expect(report.level).toBe('info');
    expect(report.blocked).toEqual([]);
    expect(report.lines[1]).toBe(
      '  hook (alooma_input.Hook): the planned create adopts the input this owner already has, id a1 ' +
        '(a lost state, an earlier apply that failed, a migration): no new input.',
    );
  });

  test('GIVEN the input in state but deleted in Alooma and none of the name WHEN reported THEN nothing (Terraform plans the create)', () => {
    const findings = providerFindings(
      stack([['hook', 'alooma_input.Hook']], [['alooma_input.Hook', 'gone', 'hook']]),
      [],
    );
    expect(findings).toEqual([]);
  });

  test.each([
    ['another owner', [live('b1', 'hook', 'billing')], 'b1 (owner "billing")', FREE],
    [
      "no marker (the provider adopts only its owner's inputs)",
      [live('b1', 'hook')],
      'b1 (no owner: not managed by alooma-cdktf)',
      IMPORT,
    ],
    [
      'this owner, another type',
      [live('b1', 'hook', OWNER, 'ODBC')],
      'b1 (this owner, type ODBC)',
      FREE,
    ],
    [
      "two inputs, one of them this owner's",
      [live('b1', 'hook', OWNER), live('b2', 'hook', 'billing')],
      'b1 (this owner, type RESTAPI), b2 (owner "billing")',
      FREE,
    ],
  ])(
    'GIVEN the name held by %s WHEN reported THEN a conflict naming the holders, with its fix, blocks that resource',
    (_, holders, named, fix) => {
      const report = providerReport(stack([['hook', 'alooma_input.Hook']]), holders);
      expect(report.level).toBe('warn');
      expect(report.lines[1]).toContain(
        `the planned create fails with conflict: the name is held by ${named}. ` +
          `Terraform's plan stops here, so nothing of this stack is applied. ${fix}`,
      );
      expect(report.blocked).toEqual([
        {
          address: 'alooma_input.Hook',
          message: expect.stringMatching(
            /^alooma \(shop\): hook \(alooma_input\.Hook\): the planned create fails with conflict/,
          ),
        },
      ]);
    },
  );

  test("GIVEN this owner's input in neither code nor state WHEN reported THEN an orphan with both fixes", () => {
    const report = providerReport(
      stack([['hook', 'alooma_input.Hook']], [['alooma_input.Hook', 'a1', 'hook']]),
      [
        live('a1', 'hook', OWNER),
        live('o1', 'old_hook', OWNER),
        live('x1', 'theirs', 'billing'),
        live('u1', 'by_hand'),
      ],
    );
    expect(report.level).toBe('warn');
    expect(report.blocked).toEqual([]);
    expect(report.lines.slice(1)).toEqual([
      "  old_hook (RESTAPI, id o1): this owner's input is in neither the code nor the state; the provider never deletes it. " +
        'Declare it again (the create adopts it; alooma-cdktf import old_hook prints the construct), or delete it: alooma-cdktf inputs delete old_hook --apply --yes.',
    ]);
  });

  test('GIVEN a resource removed from the code with retain_on_delete WHEN reported THEN the destroy keeps it (and it is no orphan yet)', () => {
    const findings = providerFindings(
      stack(
        [],
        [
          ['alooma_input.Old', 'r1', 'old', true],
          ['alooma_input.Gone', 'g1', 'gone'],
        ],
      ),
      [live('r1', 'old', OWNER), live('g1', 'gone', OWNER)],
    );
    expect(findings.map((f) => f.kind)).toEqual(['retained']);
    expect(
      providerReport(stack([], [['alooma_input.Old', 'r1', 'old', true]]), [
        live('r1', 'old', OWNER),
      ]).level,
    ).toBe('info');
  });

  test('GIVEN an input moving in from terraform_data (moved {} source in state) WHEN reported THEN no create, no adoption, no orphan', () => {
    const moving: ProviderLiveDiffStack = {
      ...stack([['hook', 'alooma_input.Hook']]),
      moving: ['alooma_input.Hook'],
    };
    expect(providerFindings(moving, [live('a1', 'hook', OWNER)])).toEqual([]);
  });

  test('GIVEN an input the code imports (importFrom) and an unmarked live input of its name WHEN reported THEN no conflict: Terraform imports it', () => {
    const importing = (importId: string): ProviderLiveDiffStack => {
      const base = stack([['hook', 'alooma_input.Hook']]);
      return { ...base, inputs: [{ ...base.inputs[0], importId }] };
    };
    // by id, and by name; an unmarked input and this owner's alike
    expect(providerFindings(importing('b1'), [live('b1', 'hook')])).toEqual([]);
    expect(providerFindings(importing('hook'), [live('b1', 'hook', OWNER)])).toEqual([]);
    // without the import block the same input is a conflict (an unmarked holder)
    expect(providerFindings(stack([['hook', 'alooma_input.Hook']]), [live('b1', 'hook')])).toEqual([
      expect.objectContaining({ kind: 'conflict' }),
    ]);
  });

  test('GIVEN the code imports by a name two of its own inputs carry WHEN reported THEN neither counts as imported: both stay orphans', () => {
    const base = stack([['hook', 'alooma_input.Hook']]);
    const importing: ProviderLiveDiffStack = {
      ...base,
      inputs: [{ ...base.inputs[0], importId: 'hook' }],
    };
    const findings = providerFindings(importing, [
      live('a1', 'hook', OWNER),
      live('a2', 'hook', OWNER),
    ]);
    expect(findings.map((f) => f.kind)).toEqual(['orphan', 'orphan']);
  });

  test('GIVEN a construct id changed without a moved block WHEN reported THEN the create that would adopt the input the old address destroys stops the plan', () => {
    const renamed = stack(
      [['hook', 'alooma_input.NewHook']],
      [['alooma_input.Hook', 'a1', 'hook']],
    );
    const report = providerReport(renamed, [live('a1', 'hook', OWNER)]);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'readdressed', from: 'alooma_input.Hook' }),
    ]);
    expect(report.level).toBe('warn');
    expect(report.blocked).toEqual([
      {
        address: 'alooma_input.NewHook',
        message: expect.stringContaining(
          'moved {} block from alooma_input.Hook to alooma_input.NewHook',
        ),
      },
    ]);
    // retained at the old address: its destroy only forgets it, so the adoption is safe
    const retained = stack(
      [['hook', 'alooma_input.NewHook']],
      [['alooma_input.Hook', 'a1', 'hook', true]],
    );
    expect(providerFindings(retained, [live('a1', 'hook', OWNER)]).map((f) => f.kind)).toEqual([
      'adopt',
      'retained',
    ]);
  });

  test('GIVEN a managed input whose marker now names another owner WHEN reported THEN its update is said to fail', () => {
    const report = providerReport(
      stack([['hook', 'alooma_input.Hook']], [['alooma_input.Hook', 'a1', 'hook']]),
      [live('a1', 'hook', 'billing')],
    );
    expect(report.level).toBe('warn');
    expect(report.lines[1]).toContain(
      'input a1 now carries owner "billing"\'s marker: an update of it fails with conflict',
    );
    expect(report.blocked).toEqual([]);
  });

  test('GIVEN system inputs and non-input nodes of the name WHEN reported THEN they are neither holders nor orphans', () => {
    const nodes: LiveInput[] = [
      { ...live('s1', 'hook', OWNER), type: 'RESTREAM' },
      { ...live('t1', 'hook', OWNER), category: 'TRANSFORMER' },
    ];
    expect(providerFindings(stack([['hook', 'alooma_input.Hook']]), nodes)).toEqual([]);
  });
});
