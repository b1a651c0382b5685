/**
 * `alooma-cdktf import NAME... | --all`: one structure read, then code:
 * construct code for an engine (`--engine`, default `provider`), or plain
 * HCL with `import {}` blocks (`--hcl`).
 */
import { isInputNode, isSystemInputType } from '../../alooma/input-types';
import type { AloomaClient } from '../client/client';
import { generateImportCode, ImportEngine, ImportResult } from '../import/codegen';
import { generateImportHcl, ImportHclResult } from '../import/hcl';
import { findInput } from '../inputs/inputs';
import { CliError } from './errors';
import { readMarker } from '../reconcile/plan';

/** What import needs of the client. */
export type ImportClient = Pick<AloomaClient, 'listInputs' | 'getAccountName'>;

/** The generated code, and the lines to print on stderr beside it. */
export interface ImportCommandResult extends ImportResult {
  /** One line per imported input another stack already manages. */
  readonly notices: readonly string[];
}

/** The HCL configuration (`--hcl`), and the lines to print on stderr beside it. */
export interface ImportHclCommandResult extends ImportHclResult {
  readonly notices: readonly string[];
}

/** Reads the inputs to import and generates their code. */
export async function importCommand(
  client: ImportClient,
  names: readonly string[],
  options: {
    all?: boolean;
    core?: 'cdktf' | 'cdktn';
    module?: string;
    function?: string;
    engine?: ImportEngine;
  },
): Promise<ImportCommandResult> {
  const { chosen, account } = await readInputs(client, names, options);
  const engine = options.engine ?? 'provider';
  const result = generateImportCode(chosen, {
    engine,
    core: options.core,
    moduleName: options.module,
    functionName: options.function,
    account,
  });
  const notices = [
    ...result.owned.map(
      ({ input, owner }) =>
        `note: "${input}" is managed by the stack "${owner}" (ownership marker): ` +
        (engine === 'provider'
          ? `importing it into another stack is refused with error[conflict] until "${owner}" lets it go`
          : `deploying this code from another stack fails with error[conflict] until "${owner}" lets it go`),
    ),
    ...result.secretVariables
      .filter((s) => engine === 'provider' && s.version === undefined)
      .map(
        (s) =>
          `note: Alooma records no version for ${s.field} of "${s.input}": ` +
          `the first deploy writes it from ${s.variable} (set it)`,
      ),
  ];
  return { ...result, notices };
}

/** Reads the structure once and picks the inputs to import (system inputs refused). */
async function readInputs(
  client: ImportClient,
  names: readonly string[],
  options: { all?: boolean },
) {
  if (!options.all && names.length === 0) {
    throw new CliError(
      'nothing_to_import',
      'no input named',
      'name the inputs to import, or pass --all',
    );
  }
  const [live, account] = await Promise.all([
    client.listInputs(),
    client.getAccountName().catch(() => undefined),
  ]);
  const inputs = live.filter(isInputNode);
  const chosen = options.all
    ? inputs.filter((n) => !isSystemInputType(n.type))
    : names.map((name) => findInput(inputs, name));
  const system = chosen.find((n) => isSystemInputType(n.type));
  if (system) {
    throw new CliError(
      'system_input',
      `"${system.name}" is a ${system.type} system input`,
      'system inputs are managed by Alooma itself; leave them out',
    );
  }
  return { chosen, account };
}

/**
 * `--hcl`: the plain Terraform configuration that imports the inputs into
 * the provider under `owner`.
 */
export async function importHclCommand(
  client: ImportClient,
  names: readonly string[],
  options: { all?: boolean; owner?: string; providerVersion: string },
): Promise<ImportHclCommandResult> {
  if (options.owner === undefined || options.owner.trim() === '') {
    throw new CliError(
      'missing_name',
      '--hcl needs the owner of the configuration that will manage the inputs',
      "pass --owner NAME (the provider block's owner)",
    );
  }
  const { chosen, account } = await readInputs(client, names, options);
  const result = generateImportHcl(chosen, {
    owner: options.owner,
    providerVersion: options.providerVersion,
    account,
  });
  const notices = chosen.flatMap((n) => {
    const owner = readMarker(n)?.owner;
    return owner !== undefined && owner !== options.owner
      ? [
          `note: "${n.name}" is managed by the stack "${owner}" (ownership marker): ` +
            `importing it into another stack is refused with error[conflict] until "${owner}" lets it go`,
        ]
      : [];
  });
  return { ...result, notices };
}
