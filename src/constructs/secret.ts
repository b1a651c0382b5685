import { createHash } from 'node:crypto';
import { Token } from './private/core';
import { SecretRef, TERRAFORM_SECRET_ENV_PREFIX } from '../runtime/protocol';

/** Name under which the connection's Terraform-sourced API key is handed to the runtime. */
export const CONNECTION_SECRET_OWNER = '@connection';

const SECRET_BRAND = Symbol.for('alooma-cdktf.AloomaSecret');

/** Options of {@link AloomaSecret.fromEnv}. */
export interface AloomaSecretOptions {
  /**
   * Rotation signal, as Terraform's `password_wo_version`: the value is
   * written to Alooma when the input is created and whenever this changes.
   * It is part of the input's planned configuration, so a bump shows in
   * `cdktf diff` and re-applies the input.
   *
   * @default - no version: the value is written when the input is created
   */
  readonly version?: string;
}

/** Options of {@link AloomaSecret.fromTerraform}. */
export interface AloomaTerraformSecretOptions {
  /**
   * Rotation signal. For a sensitive value it is optional: a changed value is
   * detected (Terraform keeps only its SHA-256 in the reconciler's triggers)
   * and written again. An ephemeral value never reaches state or triggers, so
   * bumping `version` is the only way to push a new one.
   *
   * With engine `provider` the value goes to a write-only attribute and this
   * is its `_version` (`password_version`, ...): the value is written on
   * create and whenever `version` changes, and no hash of it is kept
   * anywhere, so a changed value is written only when `version` changes too.
   *
   * @default - sensitive: the value's change; ephemeral: written when the input is created; engine `provider`: "1"
   */
  readonly version?: string;
  /**
   * The value is ephemeral (an `ephemeral = true` variable, Terraform 1.10+;
   * see {@link ephemeralVariable}): it is passed to the runtime only, never
   * hashed into the triggers.
   *
   * @default false
   */
  readonly ephemeral?: boolean;
}

/**
 * A reference to a secret (password, API key, token) that the runtime reads
 * at apply time. Only the variable's *name* and the version enter the
 * manifest; the value never enters the manifest, `cdktf.out`, Terraform state
 * or plan output.
 *
 * @example
 * password: AloomaSecret.fromEnv('PG_PASSWORD', { version: '2' })
 * password: AloomaSecret.fromTerraform(dbPassword.stringValue) // a sensitive TerraformVariable
 */
export class AloomaSecret {
  /**
   * A secret read from the environment variable `envName` of the process
   * that runs `cdktf deploy` / `terraform apply`. With engine `provider` it
   * is the resource's `<secret>_env` attribute (the name) and its
   * `_version`: the provider checks the variable at plan and reads it at
   * apply, only when the secret is written (create, or `version` changed).
   */
  public static fromEnv(envName: string, options: AloomaSecretOptions = {}): AloomaSecret {
    return new AloomaSecret(envName, options.version);
  }

  /**
   * A secret that Terraform knows: a sensitive variable
   * (`new TerraformVariable(..., { sensitive: true }).stringValue`), a
   * sensitive attribute of another resource (`randomPassword.result`, a
   * secrets manager's secret string) or an ephemeral variable. The stack hands
   * the value to the runtime in the apply provisioner's environment only
   * (engine `provider`: to the resource's write-only attribute); it never
   * enters the manifest, state, plan output or logs.
   */
  public static fromTerraform(
    value: string,
    options: AloomaTerraformSecretOptions = {},
  ): AloomaSecret {
    return new AloomaSecret('', options.version, { value, ephemeral: options.ephemeral === true });
  }

  /** True when `x` is an {@link AloomaSecret} (also across copies of this package). */
  public static isAloomaSecret(x: unknown): x is AloomaSecret {
    return x !== null && typeof x === 'object' && SECRET_BRAND in x;
  }

  /** Name of the environment variable that holds the value at apply time. */
  public readonly envName: string;
  /** Rotation signal; see {@link AloomaSecretOptions.version}. */
  public readonly version?: string;
  /** The Terraform expression, for {@link fromTerraform} secrets; `undefined` for {@link fromEnv}. */
  public readonly terraformValue?: string;
  /** True for an ephemeral {@link fromTerraform} secret. */
  public readonly ephemeral: boolean;

  private constructor(
    envName: string,
    version: string | undefined,
    terraform?: { value: string; ephemeral: boolean },
  ) {
    this.envName = envName;
    this.version = version;
    this.terraformValue = terraform?.value;
    this.ephemeral = terraform?.ephemeral ?? false;
    Object.defineProperty(this, SECRET_BRAND, { value: true });
  }

  /** True for a {@link fromTerraform} secret. */
  public get fromTerraform(): boolean {
    return this.terraformValue !== undefined;
  }

  /**
   * The reference as the manifest records it. A Terraform-sourced secret is
   * read from a variable the stack sets, named after the input and the path
   * (stable across synths): `ALOOMA_CDKTF_SECRET_<hash>`.
   */
  public toSecretRef(inputName: string, path: string): SecretRef {
    if (!this.fromTerraform) {
      return this.version === undefined
        ? { env: this.envName }
        : { env: this.envName, version: this.version };
    }
    return {
      env: terraformSecretEnv(inputName, path),
      ...(this.version === undefined ? {} : { version: this.version }),
      // A sensitive value without a version rotates when it changes: the runtime fingerprints it.
      ...(this.version === undefined && !this.ephemeral ? { fingerprint: true } : {}),
    };
  }

  /** A description for messages; never the value. */
  public toString(): string {
    const version =
      this.version === undefined ? '' : `, { version: ${JSON.stringify(this.version)} }`;
    return this.fromTerraform
      ? `AloomaSecret.fromTerraform(<${this.ephemeral ? 'ephemeral' : 'sensitive'} value>${version})`
      : `AloomaSecret.fromEnv(${JSON.stringify(this.envName)}${version})`;
  }
}

/** The variable through which the stack hands a Terraform-sourced secret of `inputName` at `path`. */
export function terraformSecretEnv(inputName: string, path: string): string {
  const hash = createHash('sha256').update(`${inputName}\u0000${path}`).digest('hex');
  return `${TERRAFORM_SECRET_ENV_PREFIX}${hash.slice(0, 16).toUpperCase()}`;
}

/** True when `value` is a Terraform expression (a token), as {@link AloomaSecret.fromTerraform} needs. */
export function isTerraformExpression(value: unknown): boolean {
  return typeof value === 'string' && Token.isUnresolved(value);
}
