/**
 * Validation of inputs as the service did it: structural checks (body shape,
 * name, type, required configuration per type) always run and answer 400
 * naming the field; source validation (can the source be reached with these
 * credentials?) runs only on validating creates and edits, and plugs in
 * through {@link SourceValidator} (the emulator's real one is
 * `PostgresSourceValidator` in `source-validation.ts`).
 */
import { SYSTEM_INPUT_TYPES } from './nodes';
import { ValidationError } from './errors';
import { isPlainObject } from './secret-merge';

/** Longest input name the service accepts. */
export const MAX_NAME_LENGTH = 200;

/** An input as a client asks to create or edit it, after structural checks. */
export interface InputDraft {
  readonly name: string;
  readonly type: string;
  readonly configuration: Record<string, unknown>;
}

/**
 * What a {@link SourceValidator} concluded. A failure is answered 400 with
 * `message` as it is (a whole sentence, e.g. `Source validation failed for
 * table 'orders': column "nope" does not exist`) and `field` (default
 * `configuration`), e.g. `configuration.tables.orders`.
 */
export type SourceValidationResult =
  { readonly ok: true } | { readonly ok: false; readonly message: string; readonly field?: string };

/** What a {@link SourceValidator} knows besides the input. */
export interface SourceValidationContext {
  /** Account the input belongs to. */
  readonly account: string;
  /**
   * On an edit (`PUT inputs/<id>`), the input as stored, with its real
   * secrets, when its source was validated before (it was created or last
   * edited with validation). A validator may then skip an edit that does not
   * touch the source. Undefined on creates and on inputs never validated.
   */
  readonly previous?: InputDraft;
}

/**
 * Checks that an input's source is reachable and usable (e.g. connects to the
 * PostgreSQL server of an ODBC input). It runs after structural validation,
 * with the real secrets (masked ones already replaced by the stored values),
 * before anything is written. Plugged in through
 * `EmulatorOptions.sourceValidator`.
 */
export interface SourceValidator {
  /** Resolves `{ok: false, message, field?}` when the source is unusable (answered 400); never rejects for that. */
  validate(input: InputDraft, context: SourceValidationContext): Promise<SourceValidationResult>;
}

/** A {@link SourceValidator} that accepts every source: source validation turned off. */
export const acceptAllSources: SourceValidator = {
  validate: async () => ({ ok: true }),
};

/** `db_type` values of ODBC inputs. */
export const ODBC_DB_TYPES: readonly string[] = [
  'psql',
  'mysql',
  'mssql',
  'oracle',
  'redshift',
  'db2',
];
/** `replication_type` values of ODBC inputs. */
export const REPLICATION_TYPES: readonly string[] = ['incremental_load', 'full_dump_load'];
/** `type` values of REST_INPUT parameters. */
export const REST_PARAMETER_TYPES: readonly string[] = ['Text', 'Days Past'];

type ConfigurationRule = (configuration: Record<string, unknown>) => void;

const noRule: ConfigurationRule = () => undefined;

/**
 * Input types clients may create, with their configuration rules. The first
 * seven are the types of DESIGN.md; the rest are further Alooma sources that
 * get only the common checks.
 */
const TYPE_RULES: Readonly<Record<string, ConfigurationRule>> = {
  ODBC: validateOdbc,
  REST_INPUT: validateRestInput,
  RESTAPI: noRule,
  SALESFORCE: (c) => requireSet(c, 'oauth2'),
  GOOGLE_SHEETS_STORAGE: (c) => requireSet(c, 'oauth2'),
  S3: validateS3,
  MIXPANEL: noRule,
  MYSQL: noRule,
  POSTGRESQL: noRule,
  MSSQL: noRule,
  MONGODB: noRule,
  GOOGLE_ANALYTICS: noRule,
  ZENDESK: noRule,
  HUBSPOT: noRule,
};

/** Input types clients may create. */
export const CREATABLE_INPUT_TYPES: readonly string[] = Object.keys(TYPE_RULES);

/**
 * Structural checks of a create (`existing` undefined) or of a PUT of the
 * whole node over `existing`. Returns the draft to store.
 *
 * On PUT the server owns `id`, `category`, `paused`, `deleted`, `state`,
 * `stats`, `validated` and `created_at`: they are ignored (pausing has its own
 * endpoint, so a PUT built from a stale GET cannot undo a concurrent pause),
 * except that an `id` or `type` differing from the node's is refused. A PUT
 * without `configuration` keeps the stored one; within `configuration` the
 * body replaces everything (absent keys are removed).
 */
export function parseInputBody(
  body: unknown,
  existing?: { id: string; type: string; configuration: Record<string, unknown> },
): InputDraft {
  if (!isPlainObject(body)) {
    throw new ValidationError(
      'Request body must be a JSON object with name, type and configuration',
    );
  }
  const name = validateName(body.name);

  let type: string;
  if (existing) {
    if (body.id !== undefined && body.id !== existing.id) {
      throw new ValidationError(
        `Field 'id' (${String(body.id)}) does not match the input in the URL (${existing.id})`,
        'id',
      );
    }
    type = body.type === undefined ? existing.type : requireType(body.type);
    if (type !== existing.type) {
      throw new ValidationError(
        `Field 'type' cannot change from ${existing.type} to ${type}: create a new input instead`,
        'type',
      );
    }
  } else {
    type = requireType(body.type);
    if (SYSTEM_INPUT_TYPES.has(type)) {
      throw new ValidationError(
        `Field 'type': ${type} inputs are created by Alooma and cannot be created by clients`,
        'type',
      );
    }
  }

  let configuration: Record<string, unknown>;
  if (body.configuration === undefined || body.configuration === null) {
    configuration = existing ? existing.configuration : {};
  } else if (isPlainObject(body.configuration)) {
    configuration = body.configuration;
  } else {
    throw new ValidationError("Field 'configuration' must be a JSON object", 'configuration');
  }
  return { name, type, configuration };
}

/**
 * Configuration checks of the input's type, plus those common to all types.
 * Runs after masked secrets were restored, so required secrets are real.
 */
export function validateConfiguration(draft: InputDraft): void {
  const rule = TYPE_RULES[draft.type];
  // System inputs (edited only by the service) have no client-facing rules.
  if (rule) rule(draft.configuration);
  validateCommon(draft.configuration);
}

function validateName(name: unknown): string {
  if (name === undefined || name === null)
    throw new ValidationError("Field 'name' is required", 'name');
  if (typeof name !== 'string') throw new ValidationError("Field 'name' must be a string", 'name');
  if (name.trim() === '') throw new ValidationError("Field 'name' must not be empty", 'name');
  if (name.trim() !== name) {
    throw new ValidationError("Field 'name' must not start or end with whitespace", 'name');
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new ValidationError(
      `Field 'name' must be at most ${MAX_NAME_LENGTH} characters (got ${name.length})`,
      'name',
    );
  }
  return name;
}

function requireType(type: unknown): string {
  if (type === undefined || type === null || type === '')
    throw new ValidationError("Field 'type' is required", 'type');
  if (typeof type !== 'string') throw new ValidationError("Field 'type' must be a string", 'type');
  if (!(type in TYPE_RULES) && !SYSTEM_INPUT_TYPES.has(type)) {
    throw new ValidationError(
      `Field 'type': unknown input type '${type}' (known: ${CREATABLE_INPUT_TYPES.join(', ')})`,
      'type',
    );
  }
  return type;
}

function validateCommon(c: Record<string, unknown>): void {
  // The service stored auto_map as sent, string or boolean; clients canonicalise.
  if (c.auto_map !== undefined && ![true, false, 'true', 'false'].includes(c.auto_map as never)) {
    throw invalid('auto_map', 'must be true or false (boolean or string)');
  }
  optionalString(c, 'input_default_schema');
}

function validateOdbc(c: Record<string, unknown>): void {
  requireString(c, 'server');
  const port = requireSet(c, 'port');
  const portNumber = integerValue(port);
  if (portNumber === undefined || portNumber < 1 || portNumber > 65535) {
    throw invalid('port', 'must be an integer between 1 and 65535');
  }
  requireString(c, 'database');
  const dbType = requireString(c, 'db_type');
  if (!ODBC_DB_TYPES.includes(dbType)) {
    throw invalid('db_type', `must be one of ${ODBC_DB_TYPES.join(', ')} (got '${dbType}')`);
  }
  requireString(c, 'user');
  requireString(c, 'password');
  validateTables(requireSet(c, 'tables'));
  optionalString(c, 'schema');
  if (
    c.replication_type !== undefined &&
    !REPLICATION_TYPES.includes(c.replication_type as string)
  ) {
    throw invalid('replication_type', `must be one of ${REPLICATION_TYPES.join(', ')}`);
  }
  if (c.batch_size !== undefined) {
    const batch = integerValue(c.batch_size);
    if (batch === undefined || batch < 1) throw invalid('batch_size', 'must be a positive integer');
  }
  optionalString(c, 'run_at');
  if (c.ssh !== undefined && c.ssh !== '') {
    if (typeof c.ssh !== 'string' || !isPlainObject(tryParseJson(c.ssh))) {
      throw invalid(
        'ssh',
        'must be a JSON string of an object, e.g. {"server":"bastion","port":22}',
      );
    }
  }
}

function validateTables(tables: unknown): void {
  const example = 'e.g. "{\\"orders\\":\\"xmin::text::bigint\\"}"';
  if (typeof tables !== 'string') {
    throw invalid(
      'tables',
      `must be a JSON string (not a ${Array.isArray(tables) ? 'list' : typeof tables}) of an object table -> update indicator, ${example}`,
    );
  }
  const parsed = tryParseJson(tables);
  if (parsed === undefined)
    throw invalid(
      'tables',
      `is not valid JSON; expected an object table -> update indicator, ${example}`,
    );
  if (!isPlainObject(parsed)) {
    throw invalid(
      'tables',
      `must be a JSON object table -> update indicator, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}; ${example}`,
    );
  }
  for (const [table, indicator] of Object.entries(parsed)) {
    if (table.trim() === '') throw invalid('tables', 'has an empty table name');
    if (typeof indicator !== 'string' || indicator.trim() === '') {
      throw invalid(
        'tables',
        `table '${table}' needs a non-empty update indicator string, e.g. "xmin::text::bigint"`,
      );
    }
  }
}

function validateRestInput(c: Record<string, unknown>): void {
  const baseUrl = requireString(c, 'base_url');
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalid('base_url', `must be an http or https URL (got '${baseUrl}')`);
  }
  if (c.request !== undefined && c.request !== 'GET' && c.request !== 'POST') {
    throw invalid('request', 'must be GET or POST');
  }
  for (const key of ['headers', 'primary_keys']) {
    if (c[key] !== undefined && !Array.isArray(c[key])) throw invalid(key, 'must be a list');
  }
  if (c.frequency !== undefined) {
    const frequency = Number(c.frequency);
    if (typeof c.frequency === 'boolean' || !Number.isFinite(frequency) || frequency <= 0) {
      throw invalid('frequency', 'must be a positive number of minutes');
    }
  }
  for (const key of [
    'username',
    'password',
    'data_field',
    'pagination_type',
    'page_parameter',
    'cron_expression',
  ]) {
    optionalString(c, key);
  }
  if (c.parameters !== undefined) validateParameters(c.parameters);
}

function validateParameters(parameters: unknown): void {
  if (!Array.isArray(parameters))
    throw invalid('parameters', 'must be a list of {parameter, type, value, template?}');
  const seen = new Set<string>();
  parameters.forEach((p, i) => {
    const field = `parameters[${i}]`;
    if (!isPlainObject(p))
      throw invalid(field, 'must be an object {parameter, type, value, template?}');
    if (typeof p.parameter !== 'string' || p.parameter.trim() === '') {
      throw invalid(`${field}.parameter`, 'is required (a non-empty string)');
    }
    if (seen.has(p.parameter))
      throw invalid(`${field}.parameter`, `'${p.parameter}' appears more than once`);
    seen.add(p.parameter);
    if (!REST_PARAMETER_TYPES.includes(p.type as string)) {
      throw invalid(
        `${field}.type`,
        `must be one of ${REST_PARAMETER_TYPES.map((t) => `"${t}"`).join(', ')}`,
      );
    }
    if (p.value === undefined || p.value === null) throw invalid(`${field}.value`, 'is required');
    if (p.type === 'Days Past') {
      const days = integerValue(p.value);
      if (days === undefined || days < 0)
        throw invalid(`${field}.value`, 'must be a non-negative integer number of days');
    } else if (typeof p.value === 'object') {
      throw invalid(`${field}.value`, 'must be a string, number or boolean');
    }
    if (p.template !== undefined && typeof p.template !== 'string') {
      throw invalid(`${field}.template`, 'must be a strftime string, e.g. "%Y-%m-%d"');
    }
  });
}

function validateS3(c: Record<string, unknown>): void {
  requireString(c, 'awsBucketName');
  const hasKeyId = c.awsAccessKeyId !== undefined && c.awsAccessKeyId !== '';
  const hasSecret = c.awsSecretAccessKey !== undefined && c.awsSecretAccessKey !== '';
  if (hasKeyId && !hasSecret)
    throw invalid('awsSecretAccessKey', 'is required with awsAccessKeyId');
  if (hasSecret && !hasKeyId)
    throw invalid('awsAccessKeyId', 'is required with awsSecretAccessKey');
  if (
    c.fileFormat !== undefined &&
    (typeof c.fileFormat !== 'string' || !isPlainObject(tryParseJson(c.fileFormat)))
  ) {
    throw invalid('fileFormat', 'must be a JSON string of an object, e.g. {"type":"json"}');
  }
}

function invalid(key: string, problem: string): ValidationError {
  const field = `configuration.${key}`;
  return new ValidationError(`Field '${field}' ${problem}`, field);
}

function requireSet(c: Record<string, unknown>, key: string): unknown {
  const value = c[key];
  if (value === undefined || value === null || value === '') throw invalid(key, 'is required');
  return value;
}

function requireString(c: Record<string, unknown>, key: string): string {
  const value = requireSet(c, key);
  if (typeof value !== 'string') throw invalid(key, 'must be a string');
  if (value.trim() === '') throw invalid(key, 'must not be empty');
  return value;
}

function optionalString(c: Record<string, unknown>, key: string): void {
  if (c[key] !== undefined && c[key] !== null && typeof c[key] !== 'string')
    throw invalid(key, 'must be a string');
}

/** An integer given as a JSON number or a decimal string (the service accepted both); else undefined. */
function integerValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
