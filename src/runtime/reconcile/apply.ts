/**
 * Executes a plan against Alooma with bounded concurrency. Every secret is
 * resolved before the first write, so a missing variable never leaves a
 * half-applied stack; each input is written with one PUT (or one create) plus
 * at most one pause call.
 */
import type { AloomaClient } from '../client/client';
import type { AloomaNode } from '../client/types';
import { InputSpec, MARKER_FIELD, OwnershipMarker, TERRAFORM_SECRET_ENV_PREFIX } from '../protocol';
import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';
import { isParameter, RestParameter, withSecretAtPath } from '../../alooma/secret-fields';
import { canonicalField, toApiConfiguration } from '../../alooma/canonical';
import { checkInputWithSecrets } from './check-input';
import { liveFingerprint } from './drift';
import { InputPlan, LiveInput, markedSecretVersion, Plan, readMarker } from './plan';

/** The slice of the Alooma client the engine uses (see client/client.ts). */
export type InputsApi = Pick<
  AloomaClient,
  'createInput' | 'updateInput' | 'deleteInput' | 'setPaused'
>;

/** A secret apply must write and cannot: its variable is unset. */
export interface MissingSecret {
  readonly input: string;
  readonly path: string;
  readonly env: string;
  /** Set when the secret is due because the update changes its destination (these fields). */
  readonly destination?: readonly string[];
}

/** Raised before any write when a secret's environment variable is unset. */
export class MissingSecretError extends AloomaCdktfError {
  constructor(readonly missing: ReadonlyArray<MissingSecret>) {
    super(
      AloomaErrorCode.MISSING_SECRET,
      `secret ${missing.length === 1 ? 'variable is' : 'variables are'} not set: ` +
        missing
          .map(
            (m) =>
              `${m.env} (input "${m.input}", ${m.path}` +
              (m.destination
                ? `: ${m.destination.join(', ')} changed, so the stored value cannot be kept and must be sent again`
                : '') +
              ')',
          )
          .join(', '),
      missing.every((m) => m.env.startsWith(TERRAFORM_SECRET_ENV_PREFIX))
        ? 'these secrets come from Terraform (AloomaSecret.fromTerraform): deploy through the synthesized stack (cdktf deploy), which passes them'
        : `export ${[...new Set(missing.filter((m) => !m.env.startsWith(TERRAFORM_SECRET_ENV_PREFIX)).map((m) => m.env))].join(', ')} in the environment that runs cdktf deploy`,
    );
  }
}

/**
 * Raised before any write when an update changes the destination (server,
 * user, URL...) of a stored secret the code does not declare: the API would
 * refuse to keep it (the stored value must not follow the input elsewhere),
 * and the runtime has no value to send.
 */
export class SecretDestinationError extends AloomaCdktfError {
  constructor(
    readonly moved: ReadonlyArray<{ input: string; path: string; fields: readonly string[] }>,
  ) {
    super(
      AloomaErrorCode.SECRET_DESTINATION_CHANGED,
      'the destination of a stored secret changes and the code gives no value to send again: ' +
        moved
          .map((m) => `input "${m.input}", ${m.path} (${m.fields.join(', ')} changed)`)
          .join('; '),
      'declare the secret in the code (e.g. password: AloomaSecret.fromEnv(...)) so the runtime sends it with the new destination, or change the input in Alooma with the secret',
    );
  }
}

/** Result of applying one input. */
export interface InputOutcome {
  readonly plan: InputPlan;
  readonly ok: boolean;
  readonly error?: unknown;
  /** API writes made for this input. */
  readonly writes: number;
}

/** Progress callbacks; the CLI prints a line per input. */
export interface ApplyListener {
  onStart?(plan: InputPlan): void;
  onDone?(outcome: InputOutcome): void;
}

/** Options of {@link applyPlan}. */
export interface ApplyOptions {
  /** Concurrent inputs in flight. @default 8 */
  readonly concurrency?: number;
  /** Environment to read secrets from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Create with source validation (`POST plumbing/inputs`). @default true */
  readonly validate?: boolean;
  readonly listener?: ApplyListener;
}

/**
 * Resolves every secret the plan writes, or throws {@link MissingSecretError}
 * listing all missing variables at once.
 */
export function resolveSecrets(
  plan: Plan,
  env: NodeJS.ProcessEnv,
): Map<string, Map<string, string>> {
  const resolved = new Map<string, Map<string, string>>();
  const missing: MissingSecret[] = [];
  const undeclared: Array<{ input: string; path: string; fields: readonly string[] }> = [];
  for (const input of plan.inputs) {
    if (input.kind !== 'create' && input.kind !== 'update') continue;
    for (const moved of input.movedSecrets ?? [])
      if (!moved.declared) undeclared.push({ input: input.name, ...moved });
    if (!input.spec || input.secretsToWrite.length === 0) continue;
    const values = new Map<string, string>();
    for (const path of input.secretsToWrite) {
      const ref = input.spec.secrets![path];
      const value = env[ref.env];
      const destination = input.movedSecrets?.find((m) => m.path === path)?.fields;
      if (value === undefined || value === '')
        missing.push({
          input: input.name,
          path,
          env: ref.env,
          ...(destination ? { destination } : {}),
        });
      else values.set(path, value);
    }
    resolved.set(input.name, values);
  }
  if (undeclared.length > 0) throw new SecretDestinationError(undeclared);
  if (missing.length > 0) throw new MissingSecretError(missing);
  return resolved;
}

/** Applies a plan; never throws for one input's failure (see outcomes). */
export async function applyPlan(
  api: InputsApi,
  plan: Plan,
  options: ApplyOptions = {},
): Promise<InputOutcome[]> {
  const secrets = resolveSecrets(plan, options.env ?? process.env);
  // The values just read are checked by the API's rules too, before the first write.
  for (const input of plan.inputs)
    if (input.spec && secrets.has(input.name))
      checkInputWithSecrets(input.spec, secrets.get(input.name)!);
  const work = plan.inputs.filter((i) => i.kind !== 'unchanged' && i.kind !== 'conflict');
  return mapConcurrent(work, options.concurrency ?? 8, async (input) => {
    options.listener?.onStart?.(input);
    const writes = { count: 0 };
    let outcome: InputOutcome;
    try {
      await applyInput(
        api,
        plan.owner,
        input,
        secrets.get(input.name) ?? new Map(),
        options,
        writes,
      );
      outcome = { plan: input, ok: true, writes: writes.count };
    } catch (error) {
      outcome = { plan: input, ok: false, error, writes: writes.count };
    }
    options.listener?.onDone?.(outcome);
    return outcome;
  });
}

async function applyInput(
  api: InputsApi,
  owner: string,
  input: InputPlan,
  secrets: Map<string, string>,
  options: ApplyOptions,
  writes: { count: number },
): Promise<void> {
  const write = <T>(p: Promise<T>) => {
    writes.count += 1;
    return p;
  };
  switch (input.kind) {
    case 'create': {
      const spec = input.spec!;
      const configuration = desiredApiConfiguration(spec, undefined, owner, secrets);
      const node = await write(
        api.createInput(
          { name: spec.name, type: spec.type, configuration },
          {
            validate: options.validate ?? true,
            // Planned as a create: no live input had the name at the structure read. A
            // same-name input that appears now is the new one only if it carries our marker.
            existingIds: new Set(),
            isOurs: (node) => readMarker(node)?.owner === owner,
          },
        ),
      );
      if (spec.paused === true && node.paused !== true) await write(api.setPaused(node.id, true));
      return;
    }
    case 'update':
    case 'pause':
    case 'resume': {
      // A pause or resume also rewrites the marker's syncFingerprint (one PUT), so
      // the drift token stays stable after the correction (see drift.ts).
      const live = input.live!;
      const configuration = desiredApiConfiguration(input.spec!, live, owner, secrets);
      await write(api.updateInput({ ...live, configuration } as AloomaNode));
      if (input.pausedChange) await write(api.setPaused(live.id, input.pausedChange.to));
      return;
    }
    case 'delete':
      await write(api.deleteInput(input.live!.id));
      return;
    case 'unchanged':
    case 'conflict':
      return;
  }
}

/**
 * The configuration to send: live fields the code does not manage are kept
 * as they are (masked secrets included: the API keeps a secret when its mask
 * comes back); a managed field whose live value already means the desired
 * one (`"true"` for `true`, `"6543"` for `6543`, the same tables in another
 * JSON spelling) is sent back exactly as read, since the service's types are
 * the user's data; only changed fields get the canonical form. Secrets due are
 * written, and the ownership marker records owner and secret versions. An
 * adoption of an input already as declared thus writes only the marker.
 */
export function desiredApiConfiguration(
  spec: InputSpec,
  live: LiveInput | undefined,
  owner: string,
  secrets: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const configuration: Record<string, unknown> = { ...(live?.configuration ?? {}) };
  for (const [key, value] of Object.entries(toApiConfiguration(spec.configuration))) {
    if (live && key in live.configuration && sameMeaning(key, live.configuration[key], value))
      continue;
    configuration[key] = value;
  }
  if (
    Array.isArray(configuration.parameters) &&
    live &&
    Array.isArray(live.configuration.parameters)
  ) {
    configuration.parameters = keepLiveSecretParameterValues(
      configuration.parameters as RestParameter[],
      live.configuration.parameters as unknown[],
    );
  }
  for (const [path, value] of secrets) setSecret(configuration, path, value);

  const previous = live ? readMarker(live) : undefined;
  const secretVersions: Array<{ path: string; version: string }> = [];
  for (const [path, ref] of Object.entries(spec.secrets ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const version = secrets.has(path) ? ref.version : markedSecretVersion(previous, path);
    if (version !== undefined) secretVersions.push({ path, version });
  }
  const marker: OwnershipMarker = {
    owner,
    ...(secretVersions.length > 0 ? { secretVersions } : {}),
    syncFingerprint: liveFingerprint(spec, live),
  };
  configuration[MARKER_FIELD] = marker;
  return configuration;
}

/**
 * Desired parameters carry no secret values (those live in the environment);
 * for each parameter whose value is not being rewritten, send back what the
 * live input has (the mask), which the API reads as "keep the stored value".
 */
function keepLiveSecretParameterValues(desired: RestParameter[], live: unknown[]): RestParameter[] {
  const liveByName = new Map(live.filter(isParameter).map((p) => [p.parameter, p]));
  return desired.map((p) =>
    p.value === undefined && liveByName.get(p.parameter)?.value !== undefined
      ? { ...p, value: liveByName.get(p.parameter)!.value }
      : p,
  );
}

/** Writes a secret at `password` or `parameters.<name>.value`. */
function setSecret(configuration: Record<string, unknown>, path: string, value: string): void {
  Object.assign(configuration, withSecretAtPath(configuration, path, value));
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Whether two values of configuration field `key` mean the same (canonical forms equal). */
function sameMeaning(key: string, live: unknown, desired: unknown): boolean {
  return (
    JSON.stringify(canonicalField(key, live) ?? null) ===
    JSON.stringify(canonicalField(key, desired) ?? null)
  );
}
