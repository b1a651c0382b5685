/**
 * What the Alooma API accepts in an input's configuration: one rule per
 * field, and per input type the set of rules a create or edit must pass.
 *
 * Used by all three layers with the same verdict:
 * - the constructs check each typed property at synth with the field's
 *   {@link ValueRule} (`checkRule` in src/constructs/private/checks.ts);
 * - the runtime checks every input of a manifest before any write of an
 *   apply (`inputProblem` in input-check.ts, via src/runtime/reconcile/check-input.ts);
 * - the emulator answers 400 with the same problem (src/emulator/validation.ts).
 *
 * Values are judged in the API's stored form, which accepts what the service
 * accepted: numbers as JSON numbers or decimal strings, `auto_map` as a
 * boolean or `"true"`/`"false"`, ODBC `tables` and `ssh` as JSON strings.
 *
 * Decided here where the service's own rule is not known:
 * - `db_type`, `replication_type`, REST `request` and parameter types are
 *   closed lists; an unlisted value is refused everywhere (a typo such as
 *   `pgsql` fails at synth, not at apply). A value the service supported and
 *   the list lacks is added to the list.
 * - text fields refuse control characters other than tab and line breaks.
 * - table and parameter names follow the name rule (names.ts).
 */
import { AloomaInputType } from './input-types';
import { describeType, nameProblem } from './names';
import { isPlainObject, tryParseJson } from './json';

/**
 * A check of one value: undefined when the value is valid, otherwise what it
 * must be, as a noun phrase (`an integer from 1 to 65535`). Messages read
 * "must be <that>" (API, runtime) or "Set it to <that>" (constructs).
 */
export type ValueRule = (value: unknown) => string | undefined;

/** `db_type` values of ODBC inputs. */
export const ODBC_DB_TYPES = ['psql', 'mysql', 'mssql', 'oracle', 'redshift', 'db2'] as const;
/** `replication_type` values of ODBC inputs; the first is the default. */
export const REPLICATION_TYPES = ['incremental_load', 'full_dump_load'] as const;
/** `request` (HTTP method) values of REST_INPUT inputs; the first is the default. */
export const REST_REQUEST_METHODS = ['GET', 'POST'] as const;
/** `type` values of REST_INPUT parameters; the first is the default. */
export const REST_PARAMETER_TYPES = ['Text', 'Days Past'] as const;

// C0 and C1 control characters except tab, line feed and carriage return.
const CONTROL_CHARACTERS_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const DECIMAL_INTEGER = /^-?\d+$/;
const DECIMAL_NUMBER = /^-?\d+(\.\d+)?$/;

/** A number from a JSON number or a decimal string (the service accepted both); else undefined. */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && DECIMAL_NUMBER.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** An integer from a JSON number or a decimal string; else undefined. */
export function integerValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && DECIMAL_INTEGER.test(value.trim())) {
    const number = Number(value.trim());
    return Number.isSafeInteger(number) ? number : undefined;
  }
  return undefined;
}

/** An integer in [min, max], as a number or a decimal string. */
export function integerRule(min: number, max = Number.MAX_SAFE_INTEGER): ValueRule {
  const expected =
    max === Number.MAX_SAFE_INTEGER
      ? min === 1
        ? 'a positive integer'
        : `an integer >= ${min}`
      : `an integer from ${min} to ${max}`;
  return (value) => {
    const number = integerValue(value);
    return number === undefined || number < min || number > max ? expected : undefined;
  };
}

/** A finite number, as a number or a decimal string. */
export const FINITE_NUMBER: ValueRule = (value) =>
  numberValue(value) === undefined ? 'a number' : undefined;

/** A number > 0, as a number or a decimal string. */
export const POSITIVE_NUMBER: ValueRule = (value) => {
  const number = numberValue(value);
  return number === undefined || number <= 0 ? 'a positive number' : undefined;
};

/** One of `allowed`, exactly (case matters, as in the API). */
export function oneOfRule(allowed: readonly string[]): ValueRule {
  const expected = `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`;
  return (value) => (typeof value === 'string' && allowed.includes(value) ? undefined : expected);
}

/** A non-blank string without control characters (tab and line breaks allowed). */
export const TEXT: ValueRule = (value) =>
  typeof value !== 'string' || value.trim() === '' || CONTROL_CHARACTERS_BUT_LINE_BREAKS.test(value)
    ? 'a non-empty string without control characters'
    : undefined;

/** A strftime template of a REST parameter's value. */
export const STRFTIME_TEMPLATE: ValueRule = (value) =>
  TEXT(value) === undefined ? undefined : 'a strftime template such as "%Y-%m-%d"';

/** A cron expression of 5 to 7 fields. */
export const CRON: ValueRule = (value) => {
  const expected = 'a cron expression of 5 to 7 fields, e.g. "0 * * * *"';
  if (TEXT(value) !== undefined) return expected;
  const fields = (value as string).trim().split(/\s+/).length;
  return fields < 5 || fields > 7 ? expected : undefined;
};

/** An http or https URL. */
export const HTTP_URL: ValueRule = (value) => {
  const expected = 'an http or https URL';
  if (TEXT(value) !== undefined) return expected;
  try {
    const url = new URL(value as string);
    return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : expected;
  } catch {
    return expected;
  }
};

/** `true` or `false`, as a boolean or a string (the service stored `auto_map` as sent). */
export const BOOLEAN_OR_STRING: ValueRule = (value) =>
  [true, false, 'true', 'false'].includes(value as never) ? undefined : 'true or false';

/** A list of non-empty strings. */
export const STRING_LIST: ValueRule = (value) =>
  Array.isArray(value) && value.every((item) => TEXT(item) === undefined)
    ? undefined
    : 'a list of non-empty strings';

/** A list of objects (REST headers). */
export const OBJECT_LIST: ValueRule = (value) =>
  Array.isArray(value) && value.every((item) => isPlainObject(item))
    ? undefined
    : 'a list of objects';

/** A TCP port. */
export const PORT = integerRule(1, 65535);
/** Rows per batch. */
export const BATCH_SIZE = integerRule(1);
/** Rows per batch of a database input when none is given, as managealooma's `create_input_database`. */
export const DEFAULT_BATCH_SIZE = 100_000;
/** Days before the run date (`Days Past` parameters). */
export const DAYS_PAST = integerRule(0);
/** `db_type` of an ODBC input. */
export const DB_TYPE = oneOfRule(ODBC_DB_TYPES);
/** `replication_type` of an ODBC input. */
export const REPLICATION_TYPE = oneOfRule(REPLICATION_TYPES);
/** `request` of a REST_INPUT input. */
export const REQUEST_METHOD = oneOfRule(REST_REQUEST_METHODS);
/** `type` of a REST_INPUT parameter. */
export const PARAMETER_TYPE = oneOfRule(REST_PARAMETER_TYPES);

/** A plain parameter value: a string, number or boolean. */
export const PARAMETER_VALUE: ValueRule = (value) =>
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value))
    ? undefined
    : 'a string, number or boolean';

/**
 * The rule of a REST parameter's `value`, by the parameter's `type`: a
 * number of days for `Days Past`, a plain value otherwise.
 */
export function parameterValueRule(type: unknown): ValueRule {
  return type === 'Days Past' ? DAYS_PAST : PARAMETER_VALUE;
}

/** `loadFiles` of an S3 input: every file, or only files added from now on. */
export const S3_LOAD_FILES = ['all', 'new'] as const;
/** `fileFormat.type` of an S3 input. */
export const S3_FILE_TYPES = ['json', 'delimited', 'other'] as const;
/** `loadFiles` of an S3 input. */
export const LOAD_FILES = oneOfRule(S3_LOAD_FILES);
/** `fileFormat.type` of an S3 input. */
export const S3_FILE_TYPE = oneOfRule(S3_FILE_TYPES);
/** The optional text members of an S3 `fileFormat`. */
export const S3_FILE_FORMAT_TEXT_KEYS = ['delimiter', 'quoteChar', 'escapeChar'] as const;
/**
 * A `delimiter`, `quoteChar` or `escapeChar` of an S3 `fileFormat`: any
 * string, control characters included (a tab is the most common delimiter
 * after the comma).
 */
export const S3_FILE_FORMAT_CHARACTER: ValueRule = (value) =>
  typeof value === 'string' ? undefined : 'a string, e.g. "," or "\\t"';

/** A calendar date `YYYY-MM-DD` (Mixpanel's `fromDate`). */
export const ISO_DATE: ValueRule = (value) => {
  const expected = 'a date YYYY-MM-DD, e.g. "2024-01-31"';
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return expected;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value
    ? expected
    : undefined;
};

/** An S3 `fileFormat`: the JSON text of `{type, delimiter?, quoteChar?, escapeChar?}`. */
export const S3_FILE_FORMAT: ValueRule = (value) => {
  const expected =
    'a JSON string of {"type": "json" | "delimited" | "other", "delimiter"?, "quoteChar"?, "escapeChar"?}';
  const parsed = typeof value === 'string' ? tryParseJson(value) : undefined;
  if (!isPlainObject(parsed) || S3_FILE_TYPE(parsed.type) !== undefined) return expected;
  for (const key of S3_FILE_FORMAT_TEXT_KEYS)
    if (parsed[key] !== undefined && S3_FILE_FORMAT_CHARACTER(parsed[key]) !== undefined)
      return expected;
  return undefined;
};

/** A table's update indicator: the column expression compared to find new rows. */
export const UPDATE_INDICATOR: ValueRule = (value) =>
  nameProblem(value) === undefined
    ? undefined
    : 'a non-empty update indicator such as "xmin::text::bigint" (no control characters or surrounding spaces)';

/** What is wrong with one field of a configuration. */
export interface FieldProblem {
  /** Dotted path inside the configuration, e.g. `port`, `parameters[0].type`, `tables.orders`. */
  readonly field: string;
  /** A phrase that completes "Field '<field>' …": `is required`, `must be an integer from 1 to 65535`. */
  readonly problem: string;
}

/** Thrown inside the checks below and turned into a {@link FieldProblem}. */
class Refusal {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {}
}

type Configuration = Readonly<Record<string, unknown>>;
type TypeRule = (c: Configuration) => void;

/** What each creatable type checks besides the common fields. */
const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  [AloomaInputType.ODBC]: checkOdbc,
  [AloomaInputType.REST_INPUT]: checkRestInput,
  [AloomaInputType.SALESFORCE]: (c) => requireSet(c, 'oauth2'),
  [AloomaInputType.GOOGLE_SHEETS_STORAGE]: (c) => requireSet(c, 'oauth2'),
  [AloomaInputType.S3]: checkS3,
  [AloomaInputType.MIXPANEL]: checkMixpanel,
};

/** Options of {@link configurationProblem}. */
export interface ConfigurationCheckOptions {
  /**
   * Values not known yet (a Terraform reference at synth): they count as
   * present and pass every rule; the runtime checks them once resolved.
   * @default - every value is known
   */
  readonly isUnknown?: (value: unknown) => boolean;
}

/** The `isUnknown` of the check in progress (checks are synchronous). */
let isUnknown: (value: unknown) => boolean = () => false;

/**
 * The first problem of an input's configuration, in the API's stored form
 * (JSON-string fields as strings, secrets present), or undefined when the
 * API accepts it. Types without rules of their own (webhooks, system
 * inputs) get the common checks only.
 */
export function configurationProblem(
  type: string,
  configuration: Configuration,
  options: ConfigurationCheckOptions = {},
): FieldProblem | undefined {
  isUnknown = options.isUnknown ?? (() => false);
  try {
    TYPE_RULES[type]?.(configuration);
    // Fields every input type has.
    checkAllOptional(configuration, { auto_map: BOOLEAN_OR_STRING, input_default_schema: TEXT });
    return undefined;
  } catch (error) {
    if (error instanceof Refusal) return { field: error.field, problem: error.problem };
    throw error;
  } finally {
    isUnknown = () => false;
  }
}

/** Why `value` fails `rule`, as a phrase that completes "Field '…' …", or undefined. */
export function ruleProblem(rule: ValueRule, value: unknown): string | undefined {
  const expected = rule(value);
  return expected === undefined ? undefined : `must be ${expected}`;
}

function checkOdbc(c: Configuration): void {
  requireAll(c, {
    server: TEXT,
    port: PORT,
    database: TEXT,
    db_type: DB_TYPE,
    user: TEXT,
    password: TEXT,
  });
  checkTables(requireSet(c, 'tables'));
  checkAllOptional(c, {
    schema: TEXT,
    replication_type: REPLICATION_TYPE,
    batch_size: BATCH_SIZE,
    run_at: CRON,
  });
  // '' is how the service stored "no tunnel".
  if (c.ssh !== '')
    checkOptional(c, 'ssh', jsonStringOf('an object, e.g. {"server":"bastion","port":22}'));
}

function checkTables(tables: unknown): void {
  if (isUnknown(tables)) return;
  const shape =
    'an object table -> update indicator, e.g. "{\\"orders\\":\\"xmin::text::bigint\\"}"';
  if (typeof tables !== 'string')
    throw new Refusal('tables', `must be a JSON string (not ${describeType(tables)}) of ${shape}`);
  const parsed = tryParseJson(tables);
  if (isUnknown(parsed)) return;
  if (parsed === undefined) throw new Refusal('tables', `is not valid JSON; expected ${shape}`);
  if (!isPlainObject(parsed))
    throw new Refusal('tables', `must be a JSON object, not ${describeType(parsed)}: ${shape}`);
  for (const [table, indicator] of Object.entries(parsed)) {
    if (isUnknown(indicator)) continue;
    const nameIssue = nameProblem(table);
    if (nameIssue)
      throw new Refusal('tables', `has a table name that ${nameIssue}: ${JSON.stringify(table)}`);
    const expected = UPDATE_INDICATOR(indicator);
    if (expected) throw new Refusal(`tables.${table}`, `must be ${expected}`);
  }
}

function checkRestInput(c: Configuration): void {
  requireValue(c, 'base_url', HTTP_URL);
  checkAllOptional(c, {
    request: REQUEST_METHOD,
    headers: OBJECT_LIST,
    primary_keys: STRING_LIST,
    frequency: POSITIVE_NUMBER,
    cron_expression: CRON,
    increment: FINITE_NUMBER,
    initial_value: FINITE_NUMBER,
    username: TEXT,
    password: TEXT,
    data_field: TEXT,
    pagination_type: TEXT,
    page_parameter: TEXT,
  });
  if (c.parameters !== undefined && c.parameters !== null) checkParameters(c.parameters);
}

function checkParameters(parameters: unknown): void {
  if (isUnknown(parameters)) return;
  if (!Array.isArray(parameters))
    throw new Refusal('parameters', 'must be a list of {parameter, type, value, template?}');
  const seen = new Set<string>();
  parameters.forEach((p: unknown, i) => {
    const field = `parameters[${i}]`;
    if (isUnknown(p)) return;
    if (!isPlainObject(p))
      throw new Refusal(field, 'must be an object {parameter, type, value, template?}');
    const nameIssue = nameProblem(p.parameter);
    if (nameIssue) throw new Refusal(`${field}.parameter`, nameIssue);
    const name = p.parameter as string;
    if (seen.has(name))
      throw new Refusal(`${field}.parameter`, `must be unique: '${name}' appears more than once`);
    seen.add(name);
    check(`${field}.type`, p.type, PARAMETER_TYPE);
    if (p.value === undefined || p.value === null)
      throw new Refusal(`${field}.value`, 'is required');
    if (!isUnknown(p.type)) check(`${field}.value`, p.value, parameterValueRule(p.type));
    if (p.template !== undefined) check(`${field}.template`, p.template, STRFTIME_TEMPLATE);
  });
}

function checkS3(c: Configuration): void {
  requireValue(c, 'awsBucketName', TEXT);
  const hasKeyId = isSet(c.awsAccessKeyId);
  const hasSecret = isSet(c.awsSecretAccessKey);
  if (hasKeyId && !hasSecret)
    throw new Refusal('awsSecretAccessKey', 'is required with awsAccessKeyId');
  if (hasSecret && !hasKeyId)
    throw new Refusal('awsAccessKeyId', 'is required with awsSecretAccessKey');
  checkAllOptional(c, {
    fileFormat: S3_FILE_FORMAT,
    filePrefix: ANY_STRING,
    loadFiles: LOAD_FILES,
  });
}

function checkMixpanel(c: Configuration): void {
  requireAll(c, { mixpanelApiKey: TEXT, mixpanelApiSecret: TEXT, fromDate: ISO_DATE });
}

/** Any string, empty included (an S3 prefix of '' means the whole bucket). */
const ANY_STRING: ValueRule = (value) => (typeof value === 'string' ? undefined : 'a string');

/** The JSON text of an object. */
function jsonStringOf(example: string): ValueRule {
  return (value) =>
    typeof value === 'string' && isPlainObject(tryParseJson(value))
      ? undefined
      : `a JSON string of ${example}`;
}

function isSet(value: unknown): boolean {
  return isUnknown(value) || (value !== undefined && value !== null && value !== '');
}

function requireSet(c: Configuration, key: string): unknown {
  if (!isSet(c[key])) throw new Refusal(key, 'is required');
  return c[key];
}

function requireValue(c: Configuration, key: string, rule: ValueRule): void {
  check(key, requireSet(c, key), rule);
}

/** Text rules under which `''` means "not set", as the service stored optional text fields. */
const EMPTY_MEANS_UNSET: ReadonlySet<ValueRule> = new Set([TEXT, CRON]);

function checkOptional(c: Configuration, key: string, rule: ValueRule): void {
  const value = c[key];
  if (value === undefined || value === null) return;
  if (value === '' && EMPTY_MEANS_UNSET.has(rule)) return;
  check(key, value, rule);
}

/** {@link requireValue} for each field, in the order given (the first problem is reported). */
function requireAll(c: Configuration, rules: Readonly<Record<string, ValueRule>>): void {
  for (const [key, rule] of Object.entries(rules)) requireValue(c, key, rule);
}

/** {@link checkOptional} for each field, in the order given. */
function checkAllOptional(c: Configuration, rules: Readonly<Record<string, ValueRule>>): void {
  for (const [key, rule] of Object.entries(rules)) checkOptional(c, key, rule);
}

function check(field: string, value: unknown, rule: ValueRule): void {
  if (isUnknown(value)) return;
  const problem = ruleProblem(rule, value);
  if (problem) throw new Refusal(field, problem);
}

/**
 * An input's sleep time in seconds from what `inputSleepTime/<id>` carries:
 * a number, a decimal string (the official client PUTs text), or
 * `{"inputSleepTime": …}` (the answer of a GET). Undefined when it is none of
 * these or negative.
 */
export function sleepTimeSeconds(body: unknown): number | undefined {
  const raw = isPlainObject(body) ? body.inputSleepTime : body;
  const seconds = numberValue(raw);
  return seconds === undefined || seconds < 0 ? undefined : seconds;
}
