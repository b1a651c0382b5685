/**
 * Human-readable renderings of a plan: a multi-line report (the `plan`
 * command, like `terraform plan`) and a compact one-liner per input (progress
 * lines and the synth-time live diff). No values of secret fields are ever
 * rendered: secrets are not part of the compared configuration, and only
 * their paths and versions are printed. Fields whose value comes from a
 * Terraform reference that Terraform may hold sensitive (registered with
 * {@link hideFieldsFromTerraform} by the apply step) are rendered as
 * "(from Terraform)", their old values too.
 */
import pc from 'picocolors';
import type { Json } from '../../alooma/canonical';
import type { FieldChange } from './diff';
import { ActionKind, InputPlan, Plan, PlanSummary, summarize } from './plan';

/** Colour functions; identity when colour is off. */
export interface Palette {
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** Colour on a TTY unless NO_COLOR is set (picocolors' own detection). */
export function palette(enabled: boolean = pc.isColorSupported): Palette {
  const c = pc.createColors(enabled);
  return { green: c.green, red: c.red, yellow: c.yellow, cyan: c.cyan, dim: c.dim, bold: c.bold };
}

const SYMBOL: Record<ActionKind, string> = {
  create: '+',
  update: '~',
  pause: '~',
  resume: '~',
  delete: '-',
  unchanged: ' ',
  conflict: '!',
};

const VERB: Record<ActionKind, string> = {
  create: 'will be created',
  update: 'will be updated in place',
  pause: 'will be paused',
  resume: 'will be resumed',
  delete: 'will be deleted',
  unchanged: 'is up to date',
  conflict: 'will be left alone',
};

/** Options of {@link formatPlan}. */
export interface FormatOptions {
  readonly palette?: Palette;
  /** Also list fields that match (managealooma's `show_matching`). @default false */
  readonly showMatching?: boolean;
  /** Also list unchanged inputs. @default false */
  readonly showUnchanged?: boolean;
}

/** What a field from Terraform shows instead of its values. */
export const FROM_TERRAFORM = '(from Terraform)';

/** Reference ids (`<input>/configuration/<key>/...`) whose fields are not rendered. */
const hiddenFields = new Set<string>();

/**
 * From now on, renders the fields at these reference ids (and below them) as
 * {@link FROM_TERRAFORM}. Called once per process by the apply step, from
 * the references Terraform does not know to be non-sensitive.
 */
export function hideFieldsFromTerraform(ids: Iterable<string>): void {
  for (const id of ids) hiddenFields.add(id);
}

/** True when the field at `path` (under `root`) of input `name` is hidden, or lies under or over a hidden one. */
function isHidden(name: string, path: readonly string[], root = 'configuration'): boolean {
  if (hiddenFields.size === 0) return false;
  const id = [name, root, ...path.map((key) => key.replace(/~/g, '~0').replace(/\//g, '~1'))].join(
    '/',
  );
  for (const hidden of hiddenFields) {
    if (id === hidden || id.startsWith(`${hidden}/`) || hidden.startsWith(`${id}/`)) return true;
  }
  return false;
}

/** {@link renderValue}, or {@link FROM_TERRAFORM} for a hidden field. */
function fieldValue(name: string, path: readonly string[], value: Json | undefined): string {
  return isHidden(name, path) ? FROM_TERRAFORM : renderValue(value);
}

/** A JSON value as one short line. */
export function renderValue(value: Json | undefined): string {
  if (value === undefined) return '(unset)';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function renderChange(name: string, change: FieldChange, p: Palette): string {
  const path = change.path.join('.');
  const value = (v: Json | undefined) => fieldValue(name, change.path, v);
  switch (change.kind) {
    case 'added':
      return p.green(`+ ${path} = ${value(change.to)}`);
    case 'removed':
      return p.red(`- ${path} = ${value(change.from)}`);
    case 'changed':
      return p.yellow(`~ ${path}: ${value(change.from)} -> ${value(change.to)}`);
    case 'matching':
      return p.dim(`  ${path} = ${value(change.to)}`);
  }
}

/** Detail lines of one input plan (without the heading). */
export function detailLines(input: InputPlan, options: FormatOptions = {}): string[] {
  const p = options.palette ?? palette(false);
  const lines: string[] = [];
  if (input.kind === 'conflict') return [p.red(input.reason ?? 'conflict')];
  if (input.kind === 'create' && input.spec) {
    for (const [key, value] of Object.entries(input.spec.configuration)) {
      if (value !== undefined)
        lines.push(p.green(`+ ${key} = ${fieldValue(input.name, [key], value as Json)}`));
    }
    if (input.spec.paused) lines.push(p.green('+ paused = true'));
  }
  if (input.diff) {
    const { changed, removed, added, matching } = input.diff;
    for (const change of [...changed, ...removed, ...added])
      lines.push(renderChange(input.name, change, p));
    if (options.showMatching)
      for (const change of matching) lines.push(renderChange(input.name, change, p));
  }
  if (input.pausedChange) {
    lines.push(
      p.yellow(`~ paused: ${state(input.pausedChange.from)} -> ${state(input.pausedChange.to)}`),
    );
  }
  for (const path of input.secretsToWrite) {
    const version = input.spec?.secrets?.[path]?.version;
    const moved = input.movedSecrets?.find((m) => m.path === path);
    const why = moved ? `, sent again: ${moved.fields.join(', ')} changed` : '';
    lines.push(
      p.yellow(`~ ${path}: (secret, written${version ? ` as version ${version}` : ''}${why})`),
    );
  }
  if (input.adopt && input.kind !== 'create')
    lines.push(p.cyan('  (exists, not yet managed: will be adopted)'));
  return lines;
}

function state(paused: boolean): string {
  return paused ? 'paused' : 'running';
}

/** Heading line of one input plan, e.g. `~ orders_db (ODBC) will be updated in place`. */
export function headingLine(input: InputPlan, p: Palette = palette(false)): string {
  const type = input.spec?.type ?? input.live?.type;
  const text = `${SYMBOL[input.kind]} ${input.name}${type ? ` (${type})` : ''} ${VERB[input.kind]}`;
  const colour: Record<ActionKind, (s: string) => string> = {
    create: p.green,
    update: p.yellow,
    pause: p.yellow,
    resume: p.yellow,
    delete: p.red,
    unchanged: p.dim,
    conflict: p.red,
  };
  return colour[input.kind](text);
}

/** The whole plan as `terraform plan`-like text, ending with a summary line. */
export function formatPlan(plan: Plan, options: FormatOptions = {}): string {
  const p = options.palette ?? palette(false);
  const blocks: string[] = [];
  for (const input of plan.inputs) {
    if (input.kind === 'unchanged' && !options.showUnchanged) continue;
    const lines = [headingLine(input, p), ...detailLines(input, options).map((l) => `    ${l}`)];
    blocks.push(lines.join('\n'));
  }
  blocks.push(summaryLine(summarize(plan)));
  return blocks.join('\n');
}

/** `Plan: 1 to create, 2 to update, ...` or `No changes. ...`. */
export function summaryLine(s: PlanSummary): string {
  const writes = s.create + s.update + s.pause + s.resume + s.delete;
  const conflicts = s.conflict ? `; ${s.conflict} left alone (conflict)` : '';
  if (writes === 0) return `No changes. ${s.unchanged} input(s) up to date${conflicts}.`;
  return (
    `Plan: ${s.create} to create, ${s.update} to update, ${s.pause + s.resume} to pause/resume, ` +
    `${s.delete} to delete; ${s.unchanged} unchanged${conflicts}.`
  );
}

/**
 * One line per input, e.g.
 * `orders_db: tables +items -users; auto_map true -> false; paused (live) -> running (code)`.
 */
export function compactLine(input: InputPlan): string {
  const parts: string[] = [];
  if (input.kind === 'create') parts.push('missing in Alooma (will be created)');
  if (input.kind === 'delete') parts.push('will be deleted');
  if (input.kind === 'conflict') parts.push(input.reason ?? 'conflict');
  if (input.diff) {
    const byTop = new Map<string, FieldChange[]>();
    for (const change of [...input.diff.added, ...input.diff.removed, ...input.diff.changed]) {
      const top = change.path[0];
      byTop.set(top, [...(byTop.get(top) ?? []), change]);
    }
    for (const [top, changes] of byTop) {
      const nested = changes.every((c) => c.path.length > 1);
      if (nested) {
        const items = changes.map((c) => {
          const rest = c.path.slice(1).join('.');
          return c.kind === 'added' ? `+${rest}` : c.kind === 'removed' ? `-${rest}` : `~${rest}`;
        });
        parts.push(`${top} ${items.join(' ')}`);
      } else {
        for (const c of changes) {
          const from = fieldValue(input.name, c.path, c.from);
          parts.push(`${c.path.join('.')} ${from} -> ${fieldValue(input.name, c.path, c.to)}`);
        }
      }
    }
  }
  if (input.pausedChange) {
    parts.push(
      `${state(input.pausedChange.from)} (live) -> ${state(input.pausedChange.to)} (code)`,
    );
  }
  for (const path of input.secretsToWrite) {
    if (input.kind === 'create') continue;
    const moved = input.movedSecrets?.find((m) => m.path === path);
    parts.push(
      moved
        ? `${path} (secret) sent again (${moved.fields.join(', ')} changed)`
        : `${path} (secret) rotated`,
    );
  }
  if (input.adopt && input.kind !== 'create' && input.kind !== 'conflict')
    parts.push('will be adopted');
  if (input.resolvedAtApply && input.kind !== 'create') parts.push(resolvedAtApplyText(input));
  return `${input.name}: ${parts.join('; ') || 'in sync'}`;
}

/**
 * The live report printed during `cdktf diff` (and by `plan --compact`): a
 * line per input that differs, or one line when everything is in sync.
 */
export function liveReportLines(plan: Plan): string[] {
  const differing = plan.inputs.filter((i) => i.kind !== 'unchanged');
  // In-sync inputs with fields from Terraform: say what was not compared.
  const notCompared = plan.inputs
    .filter((i) => i.kind === 'unchanged' && i.resolvedAtApply)
    .map((i) => `  ${i.name}: ${resolvedAtApplyText(i)}`);
  if (differing.length === 0) {
    return [
      `alooma (${plan.owner}): ${plan.inputs.length} input(s) in sync with live Alooma.`,
      ...notCompared,
    ];
  }
  return [
    `alooma (${plan.owner}): ${differing.length} of ${plan.inputs.length} input(s) differ from live Alooma (the next deploy applies them):`,
    ...differing.map((i) => `  ${compactLine(i)}`),
    ...notCompared,
  ];
}

function resolvedAtApplyText(input: InputPlan): string {
  return `${(input.resolvedAtApply ?? []).join(', ')} resolved at apply (from Terraform; not compared)`;
}
