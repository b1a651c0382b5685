/**
 * The contract between the constructs (synth time) and the runtime (apply
 * time, inside terraform's local-exec). Both sides import this module, so a
 * rename breaks compilation instead of a deploy.
 *
 * It imports only from src/alooma (the API's vocabulary): it is loaded by
 * the constructs and bundled into the runtime.
 */
import { EMULATOR_SUBCOMMAND } from '../alooma/emulator-defaults';
import { isPlainObject } from '../alooma/json';

export { EmulatorDefaults } from '../alooma/emulator-defaults';
export { MARKER_FIELD } from '../alooma/fields';

/** Version of the manifest format; the runtime refuses manifests it does not know. */
export const MANIFEST_VERSION = 1;

/** Subcommands of the `alooma-cdktf` CLI that the synthesized stack runs. */
export const Subcommand = {
  /** Create/update/pause/resume every input of the manifest (reconciler create). */
  APPLY: 'apply',
  /** Delete inputs previously managed but absent from the manifest (reconciler destroy). */
  PRUNE: 'prune',
  /** Delete one input (per-input destroy provisioner). */
  DELETE: 'delete',
  /** Print the diff between the manifest and live Alooma. */
  PLAN: 'plan',
  /** Run the local Alooma-compatible API server. */
  EMULATOR: EMULATOR_SUBCOMMAND,
  /** Print the report an apply wrote to `EnvVar.REPORT_FILE`; fail when the apply failed. */
  REPORT: 'report',
  /** Synth-time live diff: manifests on stdin, JSON report on stdout. */
  LIVE_DIFF: 'live-diff',
} as const;

/** Environment variables read by the runtime. */
export const EnvVar = {
  /** Base URL of the Alooma API, e.g. `https://app.alooma.com` or `http://127.0.0.1:8787`. */
  API_URL: 'ALOOMA_API_URL',
  /** Account name; requests go to `/<account>/rest/` when set, `/rest/` otherwise. */
  ACCOUNT: 'ALOOMA_ACCOUNT',
  /** Login e-mail (with ALOOMA_PASSWORD). */
  USERNAME: 'ALOOMA_USERNAME',
  /** Login password (with ALOOMA_USERNAME). */
  PASSWORD: 'ALOOMA_PASSWORD',
  /** API key, sent as `Authorization: API <key>` (instead of username/password). */
  API_KEY: 'ALOOMA_API_KEY',
  /**
   * `1` (or `true`) lets the client use an `http://` URL whose host is not
   * loopback. Off by default: the API key, the password and every input
   * secret would travel in clear.
   */
  ALLOW_INSECURE_HTTP: 'ALOOMA_ALLOW_INSECURE_HTTP',
  /** Name of the input a per-input destroy provisioner deletes (from `self`). */
  INPUT_NAME: 'ALOOMA_CDKTF_INPUT_NAME',
  /** JSON array of input names the previous apply managed (reconciler destroy, from `self`). */
  PREVIOUS_NAMES: 'ALOOMA_CDKTF_PREVIOUS_NAMES',
  /** `off` disables the live diff printed during synth. */
  LIVE_DIFF: 'ALOOMA_LIVE_DIFF',
  /** Timeout of the synth-time live diff in milliseconds (default 5000). */
  LIVE_DIFF_TIMEOUT_MS: 'ALOOMA_LIVE_DIFF_TIMEOUT_MS',
  /**
   * JSON object of the values of Terraform references, by reference id
   * (set by the synthesized stack; see {@link REFERENCE_KEY}).
   */
  REFERENCES: 'ALOOMA_CDKTF_REFERENCES',
  /**
   * JSON object, by reference id, of `true` where Terraform knows the value
   * not to be sensitive (`!issensitive(...)`). The apply's report shows any
   * other referenced value as "(from Terraform)".
   */
  PLAIN_REFERENCES: 'ALOOMA_CDKTF_PLAIN_REFERENCES',
  /**
   * File the apply writes its output and exit status to, instead of printing
   * them, for the report step to print (set by stacks whose apply step holds
   * secrets from Terraform, whose output Terraform suppresses).
   */
  REPORT_FILE: 'ALOOMA_CDKTF_REPORT_FILE',
} as const;

/** Prefix of the variables through which the stack hands Terraform-sourced secrets to the runtime. */
export const TERRAFORM_SECRET_ENV_PREFIX = 'ALOOMA_CDKTF_SECRET_';

/**
 * Key of a reference placeholder in a manifest: `{"alooma_cdktf_ref": "<id>"}`
 * stands where the code gave a Terraform reference (a variable, another
 * resource's attribute), whose value exists only at apply. The stack passes
 * the values to the runtime in {@link EnvVar.REFERENCES}, never in a command
 * line; ids are the input name and the field path, e.g.
 * `orders_db/configuration/server`.
 */
export const REFERENCE_KEY = 'alooma_cdktf_ref';

/** A reference placeholder; see {@link REFERENCE_KEY}. */
export interface ReferencePlaceholder {
  readonly [REFERENCE_KEY]: string;
}

/** True for a reference placeholder. */
export function isReferencePlaceholder(value: unknown): value is ReferencePlaceholder {
  return (
    isPlainObject(value) &&
    Object.keys(value).length === 1 &&
    typeof value[REFERENCE_KEY] === 'string'
  );
}

/** Content of {@link MARKER_FIELD}: declared with its reader in src/alooma. */
export type { OwnershipMarker } from '../alooma/ownership-marker';

/** Where the runtime reads a secret at apply time. Values never enter the manifest. */
export interface SecretRef {
  /** Name of the environment variable that holds the value at apply time. */
  readonly env: string;
  /**
   * The value comes from Terraform (a sensitive value without `version`): the
   * runtime uses a fingerprint of the value as its version, so a changed value
   * is written again.
   */
  readonly fingerprint?: boolean;
  /**
   * Bump to push a new value of the same variable (rotation). A change of
   * version re-applies the input; an unchanged version never rewrites it.
   */
  readonly version?: string;
}

/** Whether deleting the construct deletes the input in Alooma. */
export type RemovalPolicyName = 'destroy' | 'retain';

/** One input as the code declares it. */
export interface InputSpec {
  /**
   * Input name, as people know the input. Alooma allows several inputs of one
   * name; the runtime finds its own by name and ownership marker (one name per
   * input within an app, checked at synth).
   */
  readonly name: string;
  /** Alooma input type, e.g. `ODBC`, `REST_INPUT`, `RESTAPI`. */
  readonly type: string;
  /**
   * Non-secret configuration, in the API's shape except that ODBC `tables` is
   * an object (the runtime serialises it to the JSON string the API stores).
   */
  readonly configuration: Readonly<Record<string, unknown>>;
  /**
   * Secret configuration values, keyed by path in the configuration:
   * `password`, or `parameters.<parameter name>.value` for a REST parameter.
   */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
  /** Desired paused state; `undefined` leaves it as it is. */
  readonly paused?: boolean;
  /** `retain` inputs are never deleted by prune or destroy. */
  readonly removalPolicy: RemovalPolicyName;
  /** Path of the construct that declares the input (`MyStack/Orders`), for error messages. */
  readonly constructPath?: string;
}

/** How the runtime reaches Alooma; credentials only by environment variable name. */
export interface ConnectionSpec {
  /** Base URL; falls back to `$ALOOMA_API_URL`, then the emulator default. */
  readonly apiUrl?: string;
  /** Account; falls back to `$ALOOMA_ACCOUNT`. */
  readonly account?: string;
  /** Variable holding the login e-mail. @default ALOOMA_USERNAME */
  readonly usernameEnv?: string;
  /** Variable holding the login password. @default ALOOMA_PASSWORD */
  readonly passwordEnv?: string;
  /** Variable holding the API key. @default ALOOMA_API_KEY */
  readonly apiKeyEnv?: string;
  /**
   * The key in `apiKeyEnv` comes from Terraform and is set only for the apply
   * step; destroy-time steps fall back to the default variables.
   */
  readonly apiKeyFromTerraform?: boolean;
}

/** What one stack asks of Alooma; written at synth time, read by the runtime. */
export interface Manifest {
  readonly version: typeof MANIFEST_VERSION;
  /** Owner id recorded on every input this stack creates (the stack's name by default). */
  readonly owner: string;
  readonly connection: ConnectionSpec;
  /** Concurrent API writes during apply. */
  readonly concurrency?: number;
  readonly inputs: readonly InputSpec[];
}

/** The credential variables of a connection, defaults filled in. */
export interface CredentialVariables {
  /** Variable of the login e-mail. */
  readonly usernameEnv: string;
  /** Variable of the login password. */
  readonly passwordEnv: string;
  /** Variable of the API key. */
  readonly apiKeyEnv: string;
}

/**
 * What the environment holds for a connection's credentials: the one reading
 * of the credential variables, shared by the runtime's client
 * (`AloomaClient.fromEnv`) and the constructs' live diff.
 */
export type CredentialLookup = CredentialVariables &
  (
    | { readonly kind: 'apiKey'; readonly apiKey: string }
    | { readonly kind: 'password'; readonly username: string; readonly password: string }
    /** An API key and (part of) a login: Alooma takes one or the other. */
    | { readonly kind: 'both'; readonly loginSet: readonly string[] }
    /** Half a login; `missing` is the variable not set. */
    | { readonly kind: 'incomplete'; readonly missing: string }
    /** The key comes from Terraform (apply step only) and this step has no other credentials. */
    | { readonly kind: 'terraform_key_absent' }
    | { readonly kind: 'none' }
  );

/**
 * Reads a connection's credentials from `env`: username and password, or an
 * API key, from the variables the connection names (defaults
 * {@link EnvVar.USERNAME}, {@link EnvVar.PASSWORD}, {@link EnvVar.API_KEY}).
 * Empty and blank values count as unset (the password is kept as it is,
 * spaces included). A key from Terraform reaches only the apply step; when
 * its variable is unset, the default {@link EnvVar.API_KEY} is read instead.
 */
export function resolveCredentials(
  env: NodeJS.ProcessEnv,
  connection: ConnectionSpec = {},
): CredentialLookup {
  const terraformKeyAbsent =
    connection.apiKeyFromTerraform === true && !nonBlank(env[connection.apiKeyEnv ?? '']);
  const vars: CredentialVariables = {
    usernameEnv: connection.usernameEnv ?? EnvVar.USERNAME,
    passwordEnv: connection.passwordEnv ?? EnvVar.PASSWORD,
    apiKeyEnv: terraformKeyAbsent ? EnvVar.API_KEY : (connection.apiKeyEnv ?? EnvVar.API_KEY),
  };
  const username = nonBlank(env[vars.usernameEnv]);
  const rawPassword = env[vars.passwordEnv];
  const password = rawPassword === undefined || rawPassword === '' ? undefined : rawPassword;
  const apiKey = nonBlank(env[vars.apiKeyEnv]);
  if (apiKey !== undefined && (username !== undefined || password !== undefined)) {
    const loginSet = [username && vars.usernameEnv, password && vars.passwordEnv].filter(
      (v): v is string => typeof v === 'string' && v !== '',
    );
    return { ...vars, kind: 'both', loginSet };
  }
  if (apiKey !== undefined) return { ...vars, kind: 'apiKey', apiKey };
  if (username !== undefined && password !== undefined)
    return { ...vars, kind: 'password', username, password };
  if (username !== undefined || password !== undefined)
    return {
      ...vars,
      kind: 'incomplete',
      missing: username === undefined ? vars.usernameEnv : vars.passwordEnv,
    };
  return { ...vars, kind: terraformKeyAbsent ? 'terraform_key_absent' : 'none' };
}

function nonBlank(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
/** A secret the next deploy writes whose environment variable is not set. */
export interface MissingSecret {
  /** Name of the input. */
  readonly input: string;
  /** Path of the secret in the input's configuration, e.g. `password`. */
  readonly path: string;
  /** The variable that is not set. */
  readonly env: string;
}

/**
 * A stack of the `provider` engine as its live report sees it: the inputs
 * the code declares and the Alooma resources Terraform's state holds. Its
 * report says only what Terraform's own refresh and plan cannot: a create
 * that adopts an input of this owner, a create that fails with `conflict`
 * (the name is another owner's), inputs of this owner that neither the code
 * nor the state has (orphans the provider never deletes), and removals that
 * RETAIN keeps in Alooma. Sent on the `live-diff` stdin next to manifests.
 */
export interface ProviderLiveDiffStack {
  readonly engine: 'provider';
  /** The provider's `owner` (the connection's owner, else the stack's name). */
  readonly owner: string;
  readonly connection: ConnectionSpec;
  /** The inputs of the code, each with its resource address (`alooma_input.Hook`). */
  readonly inputs: readonly ProviderCodeInput[];
  /**
   * The Alooma resources of the stack's Terraform state (local backend);
   * absent when synth cannot read the state ({@link stateUnread} says why).
   */
  readonly state?: readonly ProviderStateInput[];
  /** Why the state was not read, e.g. `the state is in a "s3" backend`. */
  readonly stateUnread?: string;
  /**
   * Addresses of code inputs that Terraform moves in from the
   * `terraform_data` engine (a `moved {}` block whose source is in state):
   * no create; the provider takes the input over by name and owner.
   */
  readonly moving?: readonly string[];
}

/** An input the code of a `provider` stack declares. */
export interface ProviderCodeInput {
  readonly name: string;
  readonly type: string;
  /** Resource address in the stack, `<resource type>.<logical id>`. */
  readonly address: string;
  /**
   * The id (or name) an `import {}` block imports at that address
   * (`importFrom`): Terraform imports the input instead of creating one.
   */
  readonly importId?: string;
}

/** An Alooma resource in a `provider` stack's Terraform state. */
export interface ProviderStateInput {
  readonly address: string;
  /** The Alooma input id Terraform manages at that address. */
  readonly id: string;
  readonly name: string;
  /** `retain_on_delete`: destroying the resource keeps the input. */
  readonly retain: boolean;
}

/** What the constructs send the `live-diff` command: a manifest (provisioner engines) or a provider stack. */
export type LiveDiffStack = Manifest | ProviderLiveDiffStack;

/** True when `stack` is a `provider` stack's request, not a manifest. */
export function isProviderLiveDiffStack(stack: LiveDiffStack): stack is ProviderLiveDiffStack {
  return (stack as ProviderLiveDiffStack).engine === 'provider';
}

/**
 * An input whose apply is known at synth to fail (its name is another
 * owner's): the constructs give its resource a precondition carrying
 * `message`, so Terraform's plan stops before any write, and `destroy`
 * (which never evaluates it) still works.
 */
export interface BlockedInput {
  /** Resource address in the stack. */
  readonly address: string;
  readonly message: string;
}

/** One stack's part of the {@link LiveDiffAnswer}, keyed by `Manifest.owner`. */
export interface StackLiveDiff {
  /** Drift token for the reconciler's triggers; empty when nothing was compared. */
  readonly token: string;
  /** The live report: `alooma (<owner>): ...` then a line per input that differs. */
  readonly lines: readonly string[];
  /** True when every input matches live Alooma (or nothing could be compared). */
  readonly inSync: boolean;
  /**
   * Secrets the next deploy writes (new inputs, rotated versions) whose
   * variables the environment does not hold: that deploy would fail.
   * Secrets from Terraform are left out: they are set by the stack at apply.
   */
  readonly missingSecrets: readonly MissingSecret[];
  /**
   * Annotation level of the report when it is not {@link inSync}'s: a
   * `provider` stack's report of adoptions only is `info`. @default - `warn`
   */
  readonly level?: 'info' | 'warn';
  /** Inputs of a `provider` stack whose apply would fail; empty otherwise. */
  readonly blocked?: readonly BlockedInput[];
}

/**
 * What `alooma-cdktf live-diff` prints on stdout (JSON), read by the
 * constructs during synth. Never an exit status: any problem is `ok: false`.
 */
export type LiveDiffAnswer =
  | {
      readonly ok: true;
      readonly stacks: Readonly<Record<string, StackLiveDiff>>;
      /** Reads of the live structure made (one per distinct connection). */
      readonly structureReads: number;
    }
  | { readonly ok: false; readonly message: string };
