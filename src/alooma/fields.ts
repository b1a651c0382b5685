/**
 * Configuration field names of the Alooma API, by input type, and the
 * fields whose stored form differs from their meaning.
 */

/** Field in which the runtime records, on the input itself, the owning stack and the secret versions it wrote. */
export const MARKER_FIELD = 'alooma_cdktf';

/** ODBC fields that decide which source is read (an edit of none of them needs no new source validation). */
export const ODBC_SOURCE_FIELDS: readonly string[] = [
  'server',
  'port',
  'database',
  'schema',
  'db_type',
  'user',
  'password',
  'tables',
  'ssh',
];

/** Every ODBC field with a rule of its own. */
export const ODBC_FIELDS: readonly string[] = [
  ...ODBC_SOURCE_FIELDS,
  'batch_size',
  'replication_type',
  'run_at',
];

/** Every REST_INPUT field with a rule of its own. */
export const REST_INPUT_FIELDS: readonly string[] = [
  'base_url',
  'request',
  'headers',
  'username',
  'password',
  'primary_keys',
  'data_field',
  'frequency',
  'cron_expression',
  'pagination_type',
  'page_parameter',
  'increment',
  'initial_value',
  'parameters',
];

/** Fields the API stores as a JSON *string* but which mean an object (ODBC `tables` and `ssh`, S3 `fileFormat`). */
export const JSON_STRING_FIELDS: ReadonlySet<string> = new Set(['tables', 'ssh', 'fileFormat']);

/** Fields the API stores as `"true"` or `true`, as sent. */
export const BOOLEAN_FIELDS: ReadonlySet<string> = new Set(['auto_map']);

/** Fields that are numbers, stored as sent: a number or a numeric string. */
export const NUMBER_FIELDS: ReadonlySet<string> = new Set([
  'port',
  'batch_size',
  'frequency',
  'initial_value',
  'increment',
  'daily_api_calls',
  'daily_bulk_queries',
]);
