/**
 * The typed constructs' properties and the API configuration fields they
 * set, written once: the constructs render their props with these names and
 * `alooma-cdktf import` reads live fields back into props with them, so a
 * renamed field breaks both at compile time instead of an import that no
 * longer round-trips.
 *
 * Each map goes from the construct's property name to the API field.
 */

/** Properties every input construct has (`AloomaInputCommonProps`). */
export const COMMON_INPUT_PROPS = {
  autoMap: 'auto_map',
  defaultSchema: 'input_default_schema',
} as const;

/** `AloomaDatabaseInput`'s `source` (`DatabaseSource`); `password` is its secret. */
export const DATABASE_SOURCE_PROPS = {
  server: 'server',
  port: 'port',
  database: 'database',
  schema: 'schema',
  dbType: 'db_type',
  user: 'user',
  password: 'password',
} as const;

/** `AloomaDatabaseInput`'s other typed properties. */
export const DATABASE_INPUT_PROPS = {
  tables: 'tables',
  replicationType: 'replication_type',
  batchSize: 'batch_size',
  runAt: 'run_at',
  ssh: 'ssh',
} as const;

/** `AloomaRestInput`'s typed properties; `password` is its secret. */
export const REST_INPUT_PROPS = {
  baseUrl: 'base_url',
  request: 'request',
  headers: 'headers',
  username: 'username',
  password: 'password',
  primaryKeys: 'primary_keys',
  dataField: 'data_field',
  frequency: 'frequency',
  cronExpression: 'cron_expression',
  parameters: 'parameters',
} as const;

/** `AloomaRestInput`'s `pagination` (`RestPagination`). */
export const REST_PAGINATION_PROPS = {
  type: 'pagination_type',
  pageParameter: 'page_parameter',
  increment: 'increment',
  initialValue: 'initial_value',
} as const;

/** `AloomaS3Input`'s properties; `secretAccessKey` is its secret. */
export const S3_INPUT_PROPS = {
  bucket: 'awsBucketName',
  prefix: 'filePrefix',
  loadFiles: 'loadFiles',
  fileFormat: 'fileFormat',
  accessKeyId: 'awsAccessKeyId',
  secretAccessKey: 'awsSecretAccessKey',
} as const;

/** `AloomaMixpanelInput`'s properties; `apiSecret` is its secret. */
export const MIXPANEL_INPUT_PROPS = {
  apiKey: 'mixpanelApiKey',
  apiSecret: 'mixpanelApiSecret',
  fromDate: 'fromDate',
} as const;

/**
 * The environment variable `alooma-cdktf import` names for a secret
 * property of an input, e.g. `ORDERS_DB_PASSWORD` for the `password` of
 * `orders_db`, `CLICKS_SECRET_ACCESS_KEY` for the `secretAccessKey` of
 * `clicks`: the input's name and the property's (or, for an input without a
 * typed construct, the field's), upper snake case.
 */
export function secretVariableName(inputName: string, property: string): string {
  return `${screamingSnake(inputName) || 'INPUT'}_${screamingSnake(property)}`;
}

/** `mixpanelApiSecret` -> `MIXPANEL_API_SECRET`, `parameters.since.value` -> `PARAMETERS_SINCE_VALUE`. */
function screamingSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .join('_')
    .toUpperCase();
}
