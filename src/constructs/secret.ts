import { SecretRef } from '../runtime/protocol';

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

/**
 * A reference to a secret (password, API key, token) that the runtime reads
 * at apply time. Only the variable's *name* and the version enter the
 * manifest; the value never enters the manifest, `cdktf.out`, Terraform state
 * or plan output.
 *
 * @example
 * password: AloomaSecret.fromEnv('PG_PASSWORD', { version: '2' })
 */
export class AloomaSecret {
  /**
   * A secret read from the environment variable `envName` of the process
   * that runs `cdktf deploy` / `terraform apply`.
   */
  public static fromEnv(envName: string, options: AloomaSecretOptions = {}): AloomaSecret {
    return new AloomaSecret(envName, options.version);
  }

  /** True when `x` is an {@link AloomaSecret} (also across copies of this package). */
  public static isAloomaSecret(x: unknown): x is AloomaSecret {
    return x !== null && typeof x === 'object' && SECRET_BRAND in x;
  }

  /** Name of the environment variable that holds the value at apply time. */
  public readonly envName: string;
  /** Rotation signal; see {@link AloomaSecretOptions.version}. */
  public readonly version?: string;

  private constructor(envName: string, version: string | undefined) {
    this.envName = envName;
    this.version = version;
    Object.defineProperty(this, SECRET_BRAND, { value: true });
  }

  /** The reference as the manifest records it. */
  public toSecretRef(): SecretRef {
    return this.version === undefined
      ? { env: this.envName }
      : { env: this.envName, version: this.version };
  }

  /** A description for messages; never the value. */
  public toString(): string {
    return `AloomaSecret.fromEnv(${JSON.stringify(this.envName)}${
      this.version === undefined ? '' : `, { version: ${JSON.stringify(this.version)} }`
    })`;
  }
}
