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

/** Content of {@link MARKER_FIELD}. */
export interface OwnershipMarker {
  /** Owner id of the stack that manages the input (`Manifest.owner`). */
  readonly owner: string;
  /**
   * Version last written per secret path, e.g. `[{ path: "password", version: "2" }]`.
   * A list, not a map keyed by path: a key named `password` would itself be
   * treated (and masked) as a secret by the API.
   */
  readonly secretVersions?: ReadonlyArray<{ readonly path: string; readonly version: string }>;
  /**
   * Fingerprint of the live state the last apply corrected; keeps the
   * stack's drift token stable once drift is fixed (see reconcile/drift.ts).
   */
  readonly syncFingerprint?: string;
}

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
  /** Input name: Alooma's identity for humans, unique per account. */
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
