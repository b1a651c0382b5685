/**
 * Input types: which ones clients create, which ones the service runs
 * itself. Decided here: the list of creatable types is closed. The
 * emulator refuses other types with 400, so the constructs refuse them at
 * synth and the runtime before any write, instead of a deploy failing half
 * way. A type the service supported but this list lacks is added here, once.
 */

/** Node category of inputs in the plumbing graph (others: `TRANSFORMER`, `OUTPUT`). */
export const INPUT_CATEGORY = 'INPUT';

/** Input types clients create, with what they are. */
export const AloomaInputType = {
  /** A database read through ODBC; `AloomaDatabaseInput` is the typed construct. */
  ODBC: 'ODBC',
  /** A polled REST API; `AloomaRestInput` is the typed construct. */
  REST_INPUT: 'REST_INPUT',
  /** A webhook: events are POSTed to Alooma. */
  RESTAPI: 'RESTAPI',
  /** Salesforce objects (OAuth 2 token in `oauth2`). */
  SALESFORCE: 'SALESFORCE',
  /** Google Sheets from a Drive folder (OAuth 2 token in `oauth2`). */
  GOOGLE_SHEETS_STORAGE: 'GOOGLE_SHEETS_STORAGE',
  /** Files from an S3 bucket (`awsSecretAccessKey` is a secret). */
  S3: 'S3',
  /** Mixpanel export. */
  MIXPANEL: 'MIXPANEL',
  /** MySQL replication (binlog). */
  MYSQL: 'MYSQL',
  /** PostgreSQL replication. */
  POSTGRESQL: 'POSTGRESQL',
  /** Microsoft SQL Server replication. */
  MSSQL: 'MSSQL',
  /** MongoDB replication. */
  MONGODB: 'MONGODB',
  /** Google Analytics reports. */
  GOOGLE_ANALYTICS: 'GOOGLE_ANALYTICS',
  /** Zendesk tickets and users. */
  ZENDESK: 'ZENDESK',
  /** HubSpot CRM objects. */
  HUBSPOT: 'HUBSPOT',
} as const;

/** One of {@link AloomaInputType}. */
export type AloomaInputTypeName = (typeof AloomaInputType)[keyof typeof AloomaInputType];

/** Every type clients may create. */
export const CREATABLE_INPUT_TYPES: readonly AloomaInputTypeName[] = Object.values(AloomaInputType);

/** Input types the service creates itself; clients must never create, modify, pause or delete them. */
export const SYSTEM_INPUT_TYPES: ReadonlySet<string> = new Set(['RESTREAM', 'AGENT']);

/** True for a system input type (compared without case: `restream` is refused too). */
export function isSystemInputType(type: string): boolean {
  return SYSTEM_INPUT_TYPES.has(type.toUpperCase());
}

/**
 * Why a client may not create an input of `type`, as a phrase that
 * completes "Field 'type' …", or undefined when it may.
 */
export function inputTypeProblem(type: unknown): string | undefined {
  if (type === undefined || type === null || type === '') return 'is required';
  if (typeof type !== 'string') return 'must be a string';
  if (isSystemInputType(type))
    return `must not be ${type}: ${type} inputs are created by Alooma and cannot be created by clients`;
  if (!(CREATABLE_INPUT_TYPES as readonly string[]).includes(type))
    return `must be a known input type, not '${type}' (known: ${CREATABLE_INPUT_TYPES.join(', ')})`;
  return undefined;
}
