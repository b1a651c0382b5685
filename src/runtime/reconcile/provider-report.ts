/**
 * The synth-time live report of a `provider` stack: only what Terraform's
 * own refresh and plan cannot show, because Terraform knows only its state.
 * Refresh already shows drift of managed inputs (an in-place diff), a
 * deleted input (planned as a create) and the provider validates at plan;
 * none of that is repeated here. What is reported, from the code, the state
 * and one read of the live structure:
 * - **adopt**: Terraform plans a create, but this owner's input of that name
 *   exists (a lost state, a crashed apply, a migration): the provider's
 *   create adopts it (same id, no new input);
 * - **conflict**: Terraform plans a create, but the name is held by another
 *   owner, by an input with no marker (the provider adopts only this owner's
 *   inputs), by several inputs, or by this owner's input of another type: the
 *   create fails with `conflict`;
 * - **taken over**: the input at a state address now carries another
 *   owner's marker: an update of it fails with `conflict`;
 * - **orphan**: this owner's input that neither the code nor the state has;
 *   the provider never deletes it (the provisioner engines' prune would);
 * - **retained**: a resource the code no longer declares, with
 *   `retain_on_delete`: Terraform plans a destroy, the input stays.
 * The create decision mirrors the provider's create
 * (src/provider/resources/input-resource.ts): adopt exactly one input of the
 * name, this owner's, of the same type; anything else of that name refuses.
 * Pure: no I/O.
 */
import { adoptableInput, readOwnershipMarker } from '../../alooma/ownership-marker';
import { isInputNode, isSystemInputType } from '../../alooma/input-types';
import type { BlockedInput, ProviderCodeInput, ProviderLiveDiffStack } from '../protocol';
import type { LiveInput } from './plan';

/** What the report found about one input. */
export type ProviderFinding =
  | { readonly kind: 'adopt'; readonly input: ProviderCodeInput; readonly live: LiveInput }
  | {
      readonly kind: 'conflict';
      readonly input: ProviderCodeInput;
      readonly holders: readonly LiveInput[];
    }
  | {
      readonly kind: 'taken';
      readonly input: ProviderCodeInput;
      readonly live: LiveInput;
      readonly owner: string;
    }
  | {
      /**
       * The create would adopt an input the state holds at an address the
       * code no longer declares (a construct id changed without a
       * `moved {}` block): Terraform also destroys that address, in no
       * order with the create, and its destroy deletes the adopted input.
       */
      readonly kind: 'readdressed';
      readonly input: ProviderCodeInput;
      readonly live: LiveInput;
      readonly from: string;
    }
  | { readonly kind: 'orphan'; readonly live: LiveInput }
  | { readonly kind: 'retained'; readonly address: string; readonly live: LiveInput };

/** The report of one `provider` stack. */
export interface ProviderReport {
  readonly findings: readonly ProviderFinding[];
  /** `alooma (<owner>): ...` then a line per finding. */
  readonly lines: readonly string[];
  /** `warn` when an apply would fail or an input is left behind; `info` otherwise. */
  readonly level: 'info' | 'warn';
  /** True when there is nothing to say beyond Terraform's plan. */
  readonly quiet: boolean;
  /** The conflicts, as the preconditions that stop Terraform's plan. */
  readonly blocked: readonly BlockedInput[];
}

/** The findings of a `provider` stack against the live inputs. */
export function providerFindings(
  stack: ProviderLiveDiffStack,
  live: readonly LiveInput[],
): ProviderFinding[] {
  const inputs = live.filter((n) => isInputNode(n) && !isSystemInputType(n.type));
  const liveById = new Map(inputs.map((n) => [n.id, n]));
  const state = stack.state ?? [];
  const stateByAddress = new Map(state.map((s) => [s.address, s]));
  const stateIds = new Set(state.map((s) => s.id));
  const codeAddresses = new Set(stack.inputs.map((i) => i.address));
  const moving = new Set(stack.moving ?? []);
  const ownerOf = (n: LiveInput) => readOwnershipMarker(n.configuration)?.owner;
  const findings: ProviderFinding[] = [];
  const adopted = new Set<string>();

  for (const input of stack.inputs) {
    const managed = stateByAddress.get(input.address);
    const current = managed === undefined ? undefined : liveById.get(managed.id);
    if (current !== undefined) {
      // Terraform reads, diffs and updates it: only an owner change is news.
      const owner = ownerOf(current);
      if (owner !== undefined && owner !== stack.owner)
        findings.push({ kind: 'taken', input, live: current, owner });
      continue;
    }
    const named = inputs.filter((n) => n.name === input.name);
    if (managed === undefined && moving.has(input.address)) {
      // Terraform moves it from terraform_data: the provider takes this owner's input over, no create
      for (const n of named) if (ownerOf(n) === stack.owner) adopted.add(n.id);
      continue;
    }
    if (managed === undefined && input.importId !== undefined) {
      // an import {} block: Terraform imports that input (by id, or by name), no create
      const byId = inputs.filter((n) => n.id === input.importId);
      const imported = byId.length > 0 ? byId : inputs.filter((n) => n.name === input.importId);
      // by a name several inputs carry, the provider refuses the import itself (at plan): none is taken
      if (imported.length === 1) adopted.add(imported[0].id);
      continue;
    }
    // Not in state, or gone from Alooma: Terraform plans a create.
    if (named.length === 0) continue;
    const adoptable = adoptableInput(named, stack.owner, input.type);
    if (adoptable !== undefined) {
      const from = state.find(
        (s) => s.id === adoptable.id && !codeAddresses.has(s.address) && !s.retain,
      );
      findings.push(
        from === undefined
          ? { kind: 'adopt', input, live: adoptable }
          : { kind: 'readdressed', input, live: adoptable, from: from.address },
      );
      adopted.add(adoptable.id);
    } else {
      findings.push({ kind: 'conflict', input, holders: named });
    }
  }

  for (const entry of state) {
    if (codeAddresses.has(entry.address) || !entry.retain) continue;
    const kept = liveById.get(entry.id);
    if (kept !== undefined) findings.push({ kind: 'retained', address: entry.address, live: kept });
  }

  for (const n of inputs) {
    if (ownerOf(n) !== stack.owner || stateIds.has(n.id) || adopted.has(n.id)) continue;
    findings.push({ kind: 'orphan', live: n });
  }
  return findings;
}

/** The report lines, level and preconditions of a `provider` stack. */
export function providerReport(
  stack: ProviderLiveDiffStack,
  live: readonly LiveInput[],
): ProviderReport {
  const findings = providerFindings(stack, live);
  const head = `alooma (${stack.owner})`;
  if (findings.length === 0) {
    return {
      findings,
      lines: [
        `${head}: ${stack.inputs.length} input(s) checked against live Alooma: no adoption, conflict or orphan (Terraform's plan shows drift).`,
      ],
      level: 'info',
      quiet: true,
      blocked: [],
    };
  }
  const blocked = findings
    .filter((f) => f.kind === 'conflict' || f.kind === 'readdressed')
    .map((f) => ({ address: f.input.address, message: `${head}: ${findingText(f, stack.owner)}` }));
  const warn = findings.some((f) => f.kind !== 'adopt' && f.kind !== 'retained');
  return {
    findings,
    lines: [
      `${head}: live Alooma vs the code and the state, what Terraform's plan does not show:`,
      ...findings.map((f) => `  ${findingText(f, stack.owner)}`),
    ],
    level: warn ? 'warn' : 'info',
    quiet: false,
    blocked,
  };
}

/** One finding as a sentence, with what to do. */
export function findingText(finding: ProviderFinding, owner: string): string {
  switch (finding.kind) {
    case 'adopt':
      return (
        `${finding.input.name} (${finding.input.address}): the planned create adopts the input this owner already has, ` +
        `id ${finding.live.id} (a lost state, an earlier apply that failed, a migration): no new input.`
      );
    case 'conflict': {
      const only = finding.holders.length === 1 ? finding.holders[0] : undefined;
      const fix =
        only !== undefined && readOwnershipMarker(only.configuration) === undefined
          ? `Rename the input in the code, or manage that input here: import it by id (an import {} block, resource.importFrom("${only.id}")).`
          : 'Rename the input in the code, or free the name in Alooma.';
      return (
        `${finding.input.name} (${finding.input.address}): the planned create fails with conflict: the name is held by ` +
        `${finding.holders.map((n) => holder(n, owner)).join(', ')}. Terraform's plan stops here, so nothing of this stack is applied. ${fix}`
      );
    }
    case 'readdressed':
      return (
        `${finding.input.name} (${finding.input.address}): the planned create would adopt input ${finding.live.id}, which the ` +
        `state holds at ${finding.from}, a resource the code no longer declares: Terraform also destroys that one, and its ` +
        `destroy would delete the adopted input. Terraform's plan stops here. Keep the construct id, or add a moved {} block ` +
        `from ${finding.from} to ${finding.input.address} (cdktf: resource.moveFromId("${finding.from}")).`
      );
    case 'taken':
      return (
        `${finding.input.name} (${finding.input.address}): input ${finding.live.id} now carries owner "${finding.owner}"'s marker: ` +
        `an update of it fails with conflict. Remove it from one of the two configurations (terraform state rm).`
      );
    case 'orphan':
      return (
        `${finding.live.name} (${finding.live.type}, id ${finding.live.id}): this owner's input is in neither the code nor the state; ` +
        `the provider never deletes it. Declare it again (the create adopts it; alooma-cdktf import ${finding.live.name} prints the construct), ` +
        `or delete it: alooma-cdktf inputs delete ${finding.live.name} --apply --yes.`
      );
    case 'retained':
      return (
        `${finding.live.name} (${finding.address}, id ${finding.live.id}): retain_on_delete: Terraform's planned destroy only ` +
        `forgets it; the input stays in Alooma.`
      );
  }
}

function holder(n: LiveInput, owner: string): string {
  const marked = readOwnershipMarker(n.configuration)?.owner;
  if (marked === undefined) return `${n.id} (no owner: not managed by alooma-cdktf)`;
  if (marked === owner) return `${n.id} (this owner, type ${n.type})`;
  return `${n.id} (owner "${marked}")`;
}
