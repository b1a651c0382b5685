/**
 * Plumbing nodes: the records the store keeps and the shape the API returns.
 * Rendering lives here, apart from the store, because it is where secrets are
 * masked: nothing leaves the emulator except through {@link renderPublicNode}.
 */
import { INPUT_CATEGORY, isInputNode, isSystemInputType } from '../alooma/input-types';
import { isParameter, maskSecrets } from '../alooma/secret-fields';

/** Node categories of the plumbing graph. */
export const NodeCategory = {
  INPUT: INPUT_CATEGORY,
  TRANSFORMER: 'TRANSFORMER',
  OUTPUT: 'OUTPUT',
} as const;

/** `state` of a node that is running, and of a paused one. */
export const NodeState = {
  LIVE: 'LIVE',
  PAUSED: 'PAUSED',
} as const;

/** A node as the store keeps it: configuration holds the real secrets. */
export interface NodeRecord {
  readonly id: string;
  readonly account: string;
  readonly name: string;
  readonly type: string;
  readonly category: string;
  readonly configuration: Record<string, unknown>;
  readonly paused: boolean;
  readonly deleted: boolean;
  readonly state: string;
  readonly validated: boolean;
  /** Python-style ISO timestamp, as the service wrote it (`2019-01-01T00:00:00.000000`). */
  readonly createdAt: string;
}

/** A node as the API returns it (secrets masked). */
export interface PublicNode {
  id: string;
  name: string;
  type: string;
  category: string;
  configuration: Record<string, unknown>;
  paused: boolean;
  deleted: boolean;
  state: string;
  stats: Record<string, number>;
  validated: boolean;
  created_at: string;
}

/**
 * JSON text of the node as every GET returns it, with secrets masked. The
 * store keeps this text next to the record, written in the same transaction,
 * so a structure read is string concatenation rather than parse/mask/stringify
 * of every node (the read benchmark needs thousands of structure reads/s).
 */
export function renderPublicNode(record: NodeRecord): string {
  const node: PublicNode = {
    id: record.id,
    name: record.name,
    type: record.type,
    category: record.category,
    configuration: maskConfiguration(record.configuration),
    paused: record.paused,
    deleted: record.deleted,
    state: record.state,
    // The emulator moves no data; zero counters keep clients that read them working.
    stats: { incoming: 0, outgoing: 0, errors: 0 },
    validated: record.validated,
    created_at: record.createdAt,
  };
  return JSON.stringify(node);
}

/**
 * {@link maskSecrets}, keeping the boolean `secret` flag of REST parameters:
 * that key looks secret to `isSecretKey`, but the flag is not a secret, and a
 * client that PUTs the node back needs it to stay `true`.
 */
function maskConfiguration(configuration: Record<string, unknown>): Record<string, unknown> {
  const masked = maskSecrets(configuration);
  const original = configuration.parameters;
  if (Array.isArray(original) && Array.isArray(masked.parameters)) {
    masked.parameters = masked.parameters.map((p: unknown, i: number) => {
      const flag = isParameter(original[i]) ? original[i].secret : undefined;
      return typeof flag === 'boolean' && p !== null && typeof p === 'object'
        ? { ...p, secret: flag }
        : p;
    });
  }
  return masked;
}

/** True for nodes clients may not modify, pause or delete: system inputs and non-inputs. */
export function isProtectedNode(record: Pick<NodeRecord, 'type' | 'category'>): boolean {
  return !isInputNode(record) || isSystemInputType(record.type);
}

/**
 * `datetime.isoformat()` of Python, as the service rendered `created_at`:
 * microseconds, no time zone suffix (UTC).
 */
export function pythonTimestamp(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000');
}
