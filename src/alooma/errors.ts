/**
 * The one vocabulary of error codes, and the base class of every error
 * alooma-cdktf raises on purpose: construct errors at synth, API and client
 * errors, CLI and `Inputs` errors. Tools branch on `code` (stable, never
 * reworded); people read `message` (one line) and `hint` (how to fix it).
 * The CLI prints them as `error[<code>]: <message>` and `  hint: <hint>`.
 */

/** Stable machine-readable error codes, by the layer that raises them. */
export const AloomaErrorCode = {
  // Constructs, at synth time.
  /** An input, table, parameter or owner name breaks the name rule. */
  INVALID_NAME: 'invalid_name',
  /** A property has a value of the wrong type or outside its range. */
  INVALID_PROPERTY: 'invalid_property',
  /** Two properties contradict each other, or one sets what another manages. */
  CONFLICTING_PROPERTIES: 'conflicting_properties',
  /** Two inputs of one app have the same name. */
  DUPLICATE_INPUT_NAME: 'duplicate_input_name',
  /** A database input lists the same table twice. */
  DUPLICATE_TABLE: 'duplicate_table',
  /** A table has no update indicator. */
  MISSING_UPDATE_INDICATOR: 'missing_update_indicator',
  /** A REST input declares the same parameter twice. */
  DUPLICATE_PARAMETER: 'duplicate_parameter',
  /** A template or field edit names a parameter the REST input does not have. */
  UNKNOWN_PARAMETER: 'unknown_parameter',
  /** A secret-looking configuration key holds a plain value. */
  PLAIN_SECRET: 'plain_secret',
  /** A secret is not an `AloomaSecret`, or its variable name or version is invalid. */
  INVALID_SECRET_REFERENCE: 'invalid_secret_reference',
  /** A value is a Terraform token, unknown until apply; the manifest needs it at synth. */
  UNRESOLVED_TOKEN: 'unresolved_token',
  /** The configuration sets a field the runtime owns. */
  RESERVED_FIELD: 'reserved_field',
  /** The input type is a system input clients must never manage. */
  SYSTEM_INPUT_TYPE: 'system_input_type',
  /** A stack has two `AloomaConnection`s. */
  DUPLICATE_CONNECTION: 'duplicate_connection',
  /** `AloomaConnection` chose another engine after inputs were declared with the default one. */
  CONNECTION_DECLARED_LATE: 'connection_declared_late',
  /** A child construct was created under the wrong kind of parent. */
  INVALID_SCOPE: 'invalid_scope',
  /** The bundled runtime (dist/runtime.js) is missing. */
  RUNTIME_BUNDLE_MISSING: 'runtime_bundle_missing',
  /** The `null_resource` engine is chosen but `@cdktf/provider-null` is not installed. */
  ENGINE_UNAVAILABLE: 'engine_unavailable',
  /** Terraform is missing or older than the built-in `terraform_data` needs. */
  TERRAFORM_VERSION: 'terraform_version',
  /** A construct of one CDK core's build (cdktf, cdktn) is created in a stack of the other core. */
  WRONG_CDK_CORE: 'wrong_cdk_core',

  // The API client.
  /** No response: connection refused or reset, DNS failure. */
  NETWORK: 'network',
  /** No response within the request timeout (or a 408). */
  TIMEOUT: 'timeout',
  /** 401: wrong credentials, or a session that could not be renewed. */
  AUTH: 'auth',
  /** 403, or an operation the client refuses itself (system inputs). */
  FORBIDDEN: 'forbidden',
  /** 404: no such node, secret or route. */
  NOT_FOUND: 'not_found',
  /** 409, or an input the runtime may not take over (another stack owns it). */
  CONFLICT: 'conflict',
  /** 400, 422 and other 4xx: the API rejected the request as malformed or invalid. */
  VALIDATION: 'validation',
  /** 429: throttled. */
  RATE_LIMITED: 'rate_limited',
  /** 5xx. */
  SERVER: 'server',
  /** A response that is not the API's: HTML, invalid or truncated JSON, an unexpected shape or redirect. */
  BAD_RESPONSE: 'bad_response',
  /** The TLS handshake failed: certificate untrusted, expired, for another host. */
  TLS: 'tls',
  /** The client is not configured: missing or contradictory URL or credentials. */
  CONFIG: 'config',
  /** The API accepted a create but the input never appeared in the structure. */
  CREATE_UNCONFIRMED: 'create_unconfirmed',

  // The runtime and its CLI.
  /** A secret's environment variable is unset at apply time. */
  MISSING_SECRET: 'missing_secret',
  /** An update moves a stored secret to a new destination (server, user, URL) and the code gives no value to send. */
  SECRET_DESTINATION_CHANGED: 'secret_destination_changed',
  /** A manifest file cannot be read. */
  MANIFEST_UNREADABLE: 'manifest_unreadable',
  /** A manifest is not what the constructs write (hand edit, bad resolved value). */
  MANIFEST_INVALID: 'manifest_invalid',
  /** A manifest of another format version. */
  MANIFEST_VERSION: 'manifest_version',
  /** A variable the synthesized stack sets is malformed. */
  BAD_ENVIRONMENT: 'bad_environment',
  /** A destructive command was not confirmed (`--yes`). */
  CONFIRMATION_REQUIRED: 'confirmation_required',
  /** The embedded emulator could not be started. */
  EMULATOR_UNAVAILABLE: 'emulator_unavailable',
  /** `import` found no input to import. */
  NOTHING_TO_IMPORT: 'nothing_to_import',
  /** A command needs an input name. */
  MISSING_NAME: 'missing_name',

  // Installing the provider into a Terraform working directory (src/provider/install).
  /** The provider's files (the bundle, dist/provider.js) are missing or unreadable. */
  PROVIDER_PACKAGE_MISSING: 'provider_package_missing',
  /** An existing `.terraform.lock.hcl` is not the lock file grammar Terraform writes. */
  LOCK_FILE_INVALID: 'lock_file_invalid',
  /** Terraform asked the provider to stop (Ctrl-C) before a write began: nothing was written. */
  STOPPED: 'stopped',

  // The `Inputs` operations of the reference API.
  /** No input of that name. */
  INPUT_NOT_FOUND: 'input_not_found',
  /** Several inputs carry the name (the API allows it): an operation by name would be a guess. */
  AMBIGUOUS_INPUT_NAME: 'ambiguous_input_name',
  /** An input of that name exists already. */
  INPUT_EXISTS: 'input_exists',
  /** The operation is for system inputs' neighbours only: system inputs are never changed. */
  SYSTEM_INPUT: 'system_input',
  /** A table operation on an input that is not a database input. */
  NOT_A_DATABASE_INPUT: 'not_a_database_input',
  /** A table argument is malformed. */
  BAD_TABLE: 'bad_table',
  /** A tables argument is malformed. */
  BAD_TABLES: 'bad_tables',
  /** The input has no tables to work on. */
  NO_TABLES: 'no_tables',
  /** No REST parameter of that name. */
  PARAMETER_NOT_FOUND: 'parameter_not_found',
} as const;

/** One of {@link AloomaErrorCode}. */
export type AloomaErrorCode = (typeof AloomaErrorCode)[keyof typeof AloomaErrorCode];

/**
 * Base of every error alooma-cdktf raises on purpose. `message` is one
 * readable line that names what is wrong (and where: a construct path, an
 * input, a field); `hint` says how to fix it.
 */
export class AloomaCdktfError extends Error {
  /** Stable identifier, one of {@link AloomaErrorCode}. */
  readonly code: AloomaErrorCode;
  /** How to fix it, for people; may be empty. */
  readonly hint: string;

  constructor(code: AloomaErrorCode, message: string, hint = '') {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.hint = hint;
  }
}
