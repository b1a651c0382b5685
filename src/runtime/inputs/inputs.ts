/**
 * `Inputs`: every operation of managealooma's `Inputs` class, for users who
 * script Alooma. Same names and options (camelCase), same dry-run default,
 * with the reference's bugs fixed:
 * - pause/resume build a broken URL there; here they call the pause endpoint.
 * - create copies `input_default_schema` into `db_type` there; here `db_type`
 *   comes from the source credentials.
 * - getInput of a missing name crashes with an IndexError there; here it
 *   raises {@link InputsError} `input_not_found` naming the known inputs.
 * - applyInputChanges prints an undefined name there; here the input's name.
 * Every call reads the structure at most once.
 */
import type { AloomaClient } from '../client/client';
import type { AloomaNode } from '../client/types';
import { AloomaCdktfError } from '../../alooma/errors';
import { MARKER_FIELD } from '../../alooma/fields';
import type { InputHistoryEntry } from '../client/types';
import {
  AloomaInputType,
  isInputNode,
  isSystemInputType,
  systemInputNote,
} from '../../alooma/input-types';
import { DEFAULT_BATCH_SIZE, REPLICATION_TYPES } from '../../alooma/rules';
import { canonicalConfig, Json, JsonObject, parseLiveJsonField } from '../../alooma/canonical';
import { ConfigDiff, diffConfig, FieldChange } from '../reconcile/diff';
import { readMarker } from '../reconcile/plan';
import { palette, Palette, renderValue } from '../reconcile/report';
import { isParameter, maskSecrets, RestParameter } from '../../alooma/secret-fields';
import { movedMaskedSecrets } from '../../alooma/secret-destination';
import { prettyJson } from './pretty';
import { renderTable } from './table';

/**
 * The client calls `Inputs` needs; `getHistory` (the emulator's `GET
 * history`) is optional: the reference API had none.
 */
export type InputsClient = Pick<
  AloomaClient,
  'listInputs' | 'createInput' | 'updateInput' | 'deleteInput' | 'setPaused'
> &
  Partial<Pick<AloomaClient, 'getHistory'>>;

/** A user error of an `Inputs` operation, with a stable code and a hint. */
export class InputsError extends AloomaCdktfError {}

/**
 * Refuses, before any write (dry run included), an edit that changes the
 * destination of a stored secret (src/alooma/secret-destination.ts): the
 * edit would send the mask back, which the API refuses there (issue 19).
 */
function refuseMovedSecrets(input: AloomaNode, configuration: Record<string, unknown>): void {
  const moved = movedMaskedSecrets(input.type, input.configuration, configuration);
  if (moved.length === 0) return;
  throw new InputsError(
    'secret_destination_changed',
    `changing ${[...new Set(moved.flatMap((m) => m.fields))].join(', ')} of input "${input.name}" ` +
      `moves its stored ${moved.map((m) => m.path).join(', ')}, which may not follow; nothing written`,
    'send the secret again in the same write: declare the input in code (the deploy sends it), or ' +
      'use Inputs.applyInputChanges with the new destination and the secret',
  );
}

/** Options of the `Inputs` constructor (the reference's, camelCased). */
export interface InputsOptions {
  /** Print the input and the changed input before a change. @default true */
  readonly previewFull?: boolean;
  /** Print the changes by category (changed / removed / added). @default true */
  readonly previewChanges?: boolean;
  /** Really write. When false every change is a dry run that writes nothing. @default false */
  readonly applyChanges?: boolean;
  /** Indent of printed JSON. @default 2 */
  readonly pprintIndent?: number;
  /** Width of printed JSON. @default 250 */
  readonly pprintWidth?: number;
  /** Depth of printed JSON. @default 5 */
  readonly pprintDepth?: number;
  /** Where lines go. @default console.log */
  readonly print?: (line: string) => void;
  /** Colour the output. @default false */
  readonly colour?: boolean;
  /**
   * What a dry run says writes the change, e.g. `add --apply to write it`.
   * @default 'pass applyChanges: true to write it'
   */
  readonly applyHint?: string;
}

/** Database source credentials of `createInputDatabase`. */
export interface SourceCredentials {
  readonly server: string;
  readonly port: number | string;
  readonly database: string;
  readonly schema?: string;
  readonly db_type: string;
  readonly user: string;
  readonly password: string;
  readonly [extra: string]: unknown;
}

/** Switches of `previewInputChanges`. */
export interface PreviewSwitches {
  readonly showMatching?: boolean;
  readonly showChanged?: boolean;
  readonly showRemoved?: boolean;
  readonly showAdded?: boolean;
}

/** What a change operation returns: the input before and after, and whether it was written. */
export interface ChangeResult {
  readonly input: AloomaNode;
  readonly newInput: AloomaNode;
  readonly diff: ConfigDiff;
  readonly applied: boolean;
}

/** The reference API's `Inputs` class. */
export class Inputs {
  private readonly options: Required<Omit<InputsOptions, 'print' | 'colour'>>;
  private readonly print: (line: string) => void;
  private readonly palette: Palette;

  constructor(
    private readonly api: InputsClient,
    options: InputsOptions = {},
  ) {
    this.options = {
      previewFull: options.previewFull ?? true,
      previewChanges: options.previewChanges ?? true,
      applyChanges: options.applyChanges ?? false,
      pprintIndent: options.pprintIndent ?? 2,
      pprintWidth: options.pprintWidth ?? 250,
      pprintDepth: options.pprintDepth ?? 5,
      applyHint: options.applyHint ?? 'pass applyChanges: true to write it',
    };
    this.print = options.print ?? ((line) => console.log(line));
    this.palette = palette(options.colour ?? false);
  }

  /** All inputs of the account (one structure read). */
  async getAllInputs(): Promise<AloomaNode[]> {
    return (await this.api.listInputs()).filter(isInputNode);
  }

  /**
   * What was written to an input, newest first: action, when, who, and the
   * changed fields (secrets only as changed). Printed as a table; returned.
   * `input` is a name or an id; a deleted input is found by either, from
   * the history itself (every input that ever had the name, with its id).
   */
  async history(input: string): Promise<InputHistoryEntry[]> {
    if (!this.api.getHistory) {
      throw new InputsError(
        'not_found',
        'this Alooma API keeps no history of changes',
        'the history is served by the alooma-cdktf emulator (GET history)',
      );
    }
    const all = await this.getAllInputs();
    const live = all.filter((n) => n.name === input || n.id === input);
    let entries: InputHistoryEntry[];
    if (live.length > 0) {
      const node = live.find((n) => n.id === input) ?? findInput(all, input);
      entries = await this.api.getHistory(node.id);
    } else {
      // Not live: deleted. The history names each entry's input, so read it by id, else by name.
      entries = await this.api.getHistory(input);
      if (entries.length === 0)
        entries = (await this.api.getHistory()).filter((e) => e.inputName === input);
      if (entries.length === 0) {
        const known = all.map((n) => n.name).sort();
        throw new InputsError(
          'input_not_found',
          `no input named "${input}", nor with that id, now or in the history`,
          known.length
            ? `known inputs: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}`
            : 'the account has no inputs',
        );
      }
    }
    const ids = new Set(entries.map((e) => e.inputId));
    const rows = entries.map((e) => [
      e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      e.action,
      ...(ids.size > 1 ? [e.inputId] : []),
      e.actor,
      e.changes
        .map((c) =>
          c.secret
            ? `${c.field} changed (secret)`
            : c.from === undefined
              ? `+${c.field} ${c.to}`
              : c.to === undefined
                ? `-${c.field}`
                : `${c.field} ${c.from} -> ${c.to}`,
        )
        .join('; ') || '-',
    ]);
    const headers = ['when', 'action', ...(ids.size > 1 ? ['input id'] : []), 'who', 'changes'];
    if (rows.length === 0) {
      this.print(`no change recorded for "${input}"`);
      return entries;
    }
    if (live.length === 0) {
      const names = [...new Set(entries.map((e) => e.inputName))].join('", "');
      this.print(
        `"${names}" (id ${[...ids].join(', ')}) no longer exists${ids.size > 1 ? ': several inputs had the name' : ''}; its history:`,
      );
    }
    this.print(renderTable(headers, rows, this.palette));
    return entries;
  }

  /** One input by name; `input_not_found` (with the known names) when there is none. */
  async getInput(inputName: string): Promise<AloomaNode> {
    return findInput(await this.getAllInputs(), inputName);
  }

  /** Prints inputs as a table (name, type, state, tables) or JSON, and returns them. */
  async viewInputs(
    singleInput?: string,
    printFormat: 'table' | 'json' = 'table',
  ): Promise<AloomaNode[]> {
    const all = await this.getAllInputs();
    const inputs = singleInput === undefined ? all : [findInput(all, singleInput)];
    if (printFormat === 'json') {
      this.print(this.json(inputs));
    } else {
      const rows = inputs.map((n) => [
        n.name,
        n.type,
        n.paused ? 'paused' : (n.state ?? 'running'),
        String(tablesOf(n)?.length ?? ''),
        n.id,
      ]);
      this.print(renderTable(['name', 'type', 'state', 'tables', 'id'], rows, this.palette));
      this.printSystemNote(inputs);
      if (singleInput !== undefined) this.printConfiguration(inputs[0]);
    }
    return inputs;
  }

  /**
   * Names of the inputs; printed one per line (a system input with a note
   * saying what it is), or quoted and comma-separated.
   */
  async listInputs(printLst = false, addQuotesCommas = false): Promise<string[]> {
    // Code-unit order, as Array#sort of the names (the reference's sorted()).
    const inputs = (await this.getAllInputs()).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    const names = inputs.map((n) => n.name);
    if (printLst) {
      if (addQuotesCommas) this.print(names.map((n) => `'${n.replace(/'/g, "\\'")}'`).join(', '));
      else
        for (const input of inputs)
          this.print(
            isSystemInputType(input.type)
              ? `${input.name}  ${this.palette.dim(`(${systemInputNote(input.type)})`)}`
              : input.name,
          );
    }
    return names;
  }

  /** Tables of a database input (sorted), printed one per line with their update indicator. */
  async listTables(singleInput: string, printList = false): Promise<string[]> {
    const input = await this.getInput(singleInput);
    const tables = tablesOf(input);
    if (tables === undefined) {
      throw new InputsError(
        'no_tables',
        `input "${input.name}" (${input.type}) has no tables`,
        'tables belong to database (ODBC) inputs',
      );
    }
    if (printList) {
      const map = parseTables(input);
      this.print(
        renderTable(
          ['table', 'update indicator'],
          tables.map((t) => [t, String(map[t])]),
          this.palette,
        ),
      );
    }
    return tables;
  }

  /** Deletes an input (dry run unless applyChanges). This can not be undone. */
  async deleteInput(inputName: string): Promise<boolean> {
    const input = refuseSystem(await this.getInput(inputName), 'delete');
    if (!this.options.applyChanges) {
      this.print(this.dryRun(`delete input "${input.name}" (${input.type}, id ${input.id})`));
      return false;
    }
    await this.api.deleteInput(input.id);
    this.print(`Deleted input "${input.name}".`);
    return true;
  }

  /** Pauses an input (dry run unless applyChanges). */
  pauseInput(inputName: string): Promise<boolean> {
    return this.setPaused(inputName, true);
  }

  /** Resumes an input (dry run unless applyChanges). */
  resumeInput(inputName: string): Promise<boolean> {
    return this.setPaused(inputName, false);
  }

  private async setPaused(inputName: string, paused: boolean): Promise<boolean> {
    const verb = paused ? 'pause' : 'resume';
    const input = refuseSystem(await this.getInput(inputName), verb);
    if (Boolean(input.paused) === paused) {
      this.print(`Input "${input.name}" is already ${paused ? 'paused' : 'running'}.`);
      return false;
    }
    if (!this.options.applyChanges) {
      this.print(this.dryRun(`${verb} input "${input.name}"`));
      return false;
    }
    await this.api.setPaused(input.id, paused);
    this.print(`${paused ? 'Paused' : 'Resumed'} input "${input.name}".`);
    return true;
  }

  /**
   * Creates a database input, copying the configuration of `existingInput`
   * when given (its tables, schedule...), with the new credentials, tables
   * and options on top.
   */
  async createInputDatabase(
    sourceCredentials: SourceCredentials,
    newInputName: string,
    existingInput?: string,
    tablesDict?: Record<string, string>,
    autoMap = true,
    inputDefaultSchema?: string,
    replicationType: (typeof REPLICATION_TYPES)[number] = REPLICATION_TYPES[0],
    batchSize = DEFAULT_BATCH_SIZE,
  ): Promise<AloomaNode | undefined> {
    const all = await this.getAllInputs();
    if (all.some((n) => n.name === newInputName)) {
      throw new InputsError(
        'input_exists',
        `an input named "${newInputName}" already exists`,
        'choose another name, or edit the existing input',
      );
    }
    const base = existingInput ? findInput(all, existingInput) : undefined;
    if (base && base.type !== AloomaInputType.ODBC) {
      throw new InputsError(
        'not_a_database_input',
        `input "${base.name}" is ${base.type}, not a database (ODBC) input`,
        'copy from a database input',
      );
    }
    const configuration: Record<string, unknown> = { ...(base?.configuration ?? {}) };
    delete configuration.password; // the copy's mask must not become the new password
    delete configuration[MARKER_FIELD]; // the copy is no stack's input until one adopts it
    Object.assign(configuration, sourceCredentials, {
      auto_map: autoMap,
      replication_type: replicationType,
      batch_size: batchSize,
    });
    if (inputDefaultSchema !== undefined) configuration.input_default_schema = inputDefaultSchema;
    if (tablesDict !== undefined) configuration.tables = JSON.stringify(tablesDict);
    if (configuration.tables === undefined) {
      throw new InputsError(
        'no_tables',
        `no tables for "${newInputName}"`,
        'pass tablesDict, or an existingInput to copy tables from',
      );
    }
    const newInput = { name: newInputName, type: AloomaInputType.ODBC, configuration };
    if (this.options.previewFull) this.print(this.json(newInput));
    if (!this.options.applyChanges) {
      this.print(this.dryRun(`create input "${newInputName}"`));
      return undefined;
    }
    // `all` showed no input of the name: the client need not read the structure again.
    const created = await this.api.createInput(newInput, { existingIds: new Set() });
    this.print(`Created input "${created.name}" (id ${created.id}).`);
    return created;
  }

  /** Sets one configuration field. */
  async editInputConfiguration(
    inputName: string,
    fieldToEdit: string,
    newFieldValue: unknown,
  ): Promise<ChangeResult> {
    return this.change(inputName, (config) => {
      config[fieldToEdit] = newFieldValue;
    });
  }

  /** Adds (or re-points) tables of a database input. */
  async addTableToInput(
    inputName: string,
    newTableDict: Record<string, string>,
  ): Promise<ChangeResult> {
    return this.change(inputName, (config, input) => {
      const tables = parseTables(input);
      config.tables = JSON.stringify({ ...tables, ...newTableDict });
    });
  }

  /** Turns auto-mapping on or off. */
  async changeAutoMappingMode(inputName: string, newMappingMode: boolean): Promise<ChangeResult> {
    return this.change(inputName, (config) => {
      config.auto_map = newMappingMode;
    });
  }

  /** Adds a strftime template to one or several REST parameters. */
  async addTemplateToParameterConfiguration(
    inputName: string,
    addToParameter: string | readonly string[],
    template: string,
  ): Promise<ChangeResult> {
    const names = typeof addToParameter === 'string' ? [addToParameter] : [...addToParameter];
    return this.change(inputName, (config, input) => {
      config.parameters = editParameters(input, names, (p) => ({ ...p, template }));
    });
  }

  /** Sets one field of one REST parameter, e.g. the `value` of a "Days Past" parameter. */
  async editParameterConfiguration(
    inputName: string,
    parameterToEdit: string,
    valueToSet: string,
    newValue: unknown,
  ): Promise<ChangeResult> {
    return this.change(inputName, (config, input) => {
      config.parameters = editParameters(input, [parameterToEdit], (p) => ({
        ...p,
        [valueToSet]: newValue,
      }));
    });
  }

  /**
   * Prints the changes between two versions of an input, grouped as changed /
   * removed / added (and matching on request), and returns the diff.
   */
  previewInputChanges(
    input: AloomaNode,
    newInput: AloomaNode,
    switches: PreviewSwitches = {},
  ): ConfigDiff {
    const show = {
      showMatching: false,
      showChanged: true,
      showRemoved: true,
      showAdded: true,
      ...switches,
    };
    const diff = diffConfig(comparable(input), comparable(newInput));
    const p = this.palette;
    const group = (title: string, changes: FieldChange[], render: (c: FieldChange) => string) => {
      if (changes.length === 0) return;
      this.print(p.bold(`${title} (${changes.length}):`));
      for (const change of changes) this.print(`  ${render(change)}`);
    };
    const path = (c: FieldChange) => c.path.join('.');
    if (show.showChanged)
      group('changed', diff.changed, (c) =>
        p.yellow(`${path(c)}: ${renderValue(c.from)} -> ${renderValue(c.to)}`),
      );
    if (show.showRemoved)
      group('removed', diff.removed, (c) => p.red(`${path(c)}: ${renderValue(c.from)}`));
    if (show.showAdded)
      group('added', diff.added, (c) => p.green(`${path(c)}: ${renderValue(c.to)}`));
    if (show.showMatching)
      group('matching', diff.matching, (c) => p.dim(`${path(c)}: ${renderValue(c.to)}`));
    if (diff.changed.length + diff.removed.length + diff.added.length === 0)
      this.print(`No changes to "${input.name}".`);
    return diff;
  }

  /** Writes a changed input (the whole node, as the API edits). */
  async applyInputChanges(input: AloomaNode, printMessage?: string): Promise<void> {
    refuseSystem(input, 'modify');
    await this.api.updateInput(input);
    this.print(printMessage ?? `Applied changes to input "${input.name}".`);
  }

  /** Read once, change a copy, preview, write when asked. */
  private async change(
    inputName: string,
    edit: (configuration: Record<string, unknown>, input: AloomaNode) => void,
  ): Promise<ChangeResult> {
    const input = refuseSystem(await this.getInput(inputName), 'modify');
    const configuration = structuredClone(input.configuration);
    edit(configuration, input);
    refuseMovedSecrets(input, configuration);
    const newInput: AloomaNode = { ...input, configuration };
    if (this.options.previewFull) {
      this.print(`Input "${input.name}" now:\n${this.json(input)}`);
      this.print(`Input "${input.name}" after the change:\n${this.json(newInput)}`);
    }
    const diff = this.options.previewChanges
      ? this.previewInputChanges(input, newInput)
      : diffConfig(comparable(input), comparable(newInput));
    const changed = diff.changed.length + diff.removed.length + diff.added.length > 0;
    if (changed && this.options.applyChanges) {
      await this.applyInputChanges(newInput);
      return { input, newInput, diff, applied: true };
    }
    if (changed) this.print(this.dryRun(`write these changes to "${input.name}"`));
    return { input, newInput, diff, applied: false };
  }

  /** `Dry run: would <what>; nothing written (<how to write it>).` */
  private dryRun(what: string): string {
    return `Dry run: would ${what}; nothing written (${this.options.applyHint}).`;
  }

  /** One line under a table that lists a system input: what it is, and that it is not the user's. */
  private printSystemNote(inputs: readonly AloomaNode[]): void {
    for (const input of inputs.filter((n) => isSystemInputType(n.type)))
      this.print(this.palette.dim(`${input.name}: ${systemInputNote(input.type)}`));
  }

  /** The configuration of one input as field / value rows, secrets masked, the marker as its owner. */
  private printConfiguration(input: AloomaNode): void {
    const { [MARKER_FIELD]: _marker, ...configuration } = maskSecrets(input.configuration);
    const owner = readMarker(input)?.owner;
    const rows = Object.keys(configuration)
      .sort()
      .map((field) => {
        const value = configuration[field];
        return [field, typeof value === 'string' ? value : JSON.stringify(value)];
      });
    this.print('');
    this.print(
      rows.length
        ? renderTable(['field', 'value'], rows, this.palette)
        : `"${input.name}" has no configuration`,
    );
    if (owner !== undefined) this.print(`managed by the stack "${owner}" (alooma-cdktf)`);
  }

  private json(value: unknown): string {
    return prettyJson(value, {
      indent: this.options.pprintIndent,
      width: this.options.pprintWidth,
      depth: this.options.pprintDepth,
    });
  }
}

/**
 * Finds an input by name among already-read inputs. The API allows several
 * inputs with one name; then an operation by name would be a guess, so it
 * stops, listing their ids, and touches none of them.
 */
export function findInput(inputs: readonly AloomaNode[], name: string): AloomaNode {
  const found = inputs.filter((n) => n.name === name);
  if (found.length === 1) return found[0];
  if (found.length > 1) {
    throw new InputsError(
      'ambiguous_input_name',
      `"${name}" names ${found.length} inputs (ids ${found.map((n) => n.id).join(', ')})`,
      'rename all but one in Alooma, or work on one by id with the AloomaClient (getNode, updateInput, deleteInput)',
    );
  }
  const known = inputs.map((n) => n.name).sort();
  throw new InputsError(
    'input_not_found',
    `no input named "${name}"`,
    known.length
      ? `known inputs: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}`
      : 'the account has no inputs',
  );
}

function refuseSystem(input: AloomaNode, verb: string): AloomaNode {
  if (isSystemInputType(input.type)) {
    throw new InputsError(
      'system_input',
      `"${input.name}" is a ${input.type} system input; it cannot be ${verb === 'modify' ? 'modified' : `${verb}d`}`,
      'system inputs are managed by Alooma itself',
    );
  }
  return input;
}

/** The tables of a database input, or undefined for inputs without tables. */
function tablesOf(input: AloomaNode): string[] | undefined {
  if (input.configuration.tables === undefined) return undefined;
  return Object.keys(parseTables(input)).sort();
}

function parseTables(input: AloomaNode): JsonObject {
  if (input.configuration.tables === undefined) return {};
  const tables = parseLiveJsonField(input.configuration.tables);
  if (!tables) {
    throw new InputsError(
      'bad_tables',
      `the tables of "${input.name}" are not a JSON object: ${renderValue(input.configuration.tables as Json)}`,
      'fix them in Alooma, e.g. alooma-cdktf inputs edit NAME tables \'{"orders":"xmin::text::bigint"}\' --apply',
    );
  }
  return tables;
}

function editParameters(
  input: AloomaNode,
  names: string[],
  edit: (p: RestParameter) => RestParameter,
): RestParameter[] {
  const parameters = Array.isArray(input.configuration.parameters)
    ? (input.configuration.parameters as unknown[]).filter(isParameter)
    : [];
  const known = new Set(parameters.map((p) => p.parameter));
  const missing = names.filter((n) => !known.has(n));
  if (missing.length) {
    throw new InputsError(
      'parameter_not_found',
      `input "${input.name}" has no parameter ${missing.map((m) => `"${m}"`).join(', ')}`,
      known.size ? `its parameters: ${[...known].join(', ')}` : 'it has no parameters',
    );
  }
  return parameters.map((p) => (names.includes(p.parameter) ? edit(p) : p));
}

/** An input as compared by previews: top-level fields plus canonical configuration. */
function comparable(node: AloomaNode): JsonObject {
  const out: JsonObject = { name: node.name, type: node.type, paused: Boolean(node.paused) };
  out.configuration = canonicalConfig(node.configuration);
  return out;
}
