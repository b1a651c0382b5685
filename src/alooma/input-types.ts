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
export const SystemInputType = {
  /** Alooma's own input that re-streams events from the Restream Queue; every account has one. */
  RESTREAM: 'RESTREAM',
  /** The input of an Alooma agent, created by the service with the agent. */
  AGENT: 'AGENT',
} as const;

/** Every {@link SystemInputType}, upper case. Test with {@link isSystemInputType}, which ignores case. */
export const SYSTEM_INPUT_TYPES: ReadonlySet<string> = new Set(Object.values(SystemInputType));

/** What each system input is for, said wherever one is listed. */
const SYSTEM_INPUT_PURPOSE: Readonly<Record<string, string>> = {
  [SystemInputType.RESTREAM]:
    'it feeds the events you restream from the Restream Queue back into the pipeline, and every account has one',
  [SystemInputType.AGENT]: 'the input of an Alooma agent, created by the service with the agent',
};

/**
 * Why a system input is listed though nobody created it, for the CLI's lists
 * and the emulator's console (one wording for both).
 */
export function systemInputNote(type: string): string {
  const purpose = SYSTEM_INPUT_PURPOSE[type.toUpperCase()];
  return (
    `Alooma's own ${type.toUpperCase()} system input${purpose === undefined ? '' : `: ${purpose}`}. ` +
    'Nobody created it, and it cannot be changed, paused or deleted (stacks and imports leave it alone).'
  );
}

/** True for a system input type (compared without case: `restream` is refused too). */
export function isSystemInputType(type: string): boolean {
  return SYSTEM_INPUT_TYPES.has(type.toUpperCase());
}

/** What {@link isInputNode} reads of a node of the plumbing graph. */
export interface NodeCategoryView {
  /** `INPUT`, `TRANSFORMER`, `OUTPUT`; absent where the answer is about an input only. */
  readonly category?: unknown;
  /** True once the node is deleted (the graph keeps deleted nodes for a while). */
  readonly deleted?: unknown;
}

/**
 * True for a live input: a node of the {@link INPUT_CATEGORY} that is not
 * deleted. A node without a category (an answer about one input) is an input.
 */
export function isInputNode(node: NodeCategoryView): boolean {
  return (node.category ?? INPUT_CATEGORY) === INPUT_CATEGORY && node.deleted !== true;
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
