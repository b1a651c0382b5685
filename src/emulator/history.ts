/**
 * The history of input changes the console and `GET history` show: one entry
 * per write (create, update, pause, resume, delete), with who made it and a
 * field-level diff of the configuration. Secrets appear only as "changed";
 * JSON-string fields (`tables`) are compared per member, so a table change
 * reads `tables.orders`; the ownership marker is left out (it records the
 * writer, not the user's configuration).
 */
import { JSON_STRING_FIELDS, MARKER_FIELD } from '../alooma/fields';
import { parseLiveJsonField } from '../alooma/canonical';
import { isSecretKey, maskSecrets } from '../alooma/secret-fields';

/** What a history entry records of a write. */
export type HistoryAction = 'create' | 'update' | 'pause' | 'resume' | 'delete';

/** One changed field: values as JSON text; secrets as `"changed"`, never their values. */
export interface FieldChange {
  readonly field: string;
  readonly from?: string;
  readonly to?: string;
  /** True for a secret: `from` and `to` are left out. */
  readonly secret?: true;
}

/** One entry, as the JSON route and the console show it. */
export interface HistoryEntry {
  readonly id: number;
  readonly inputId: string;
  readonly inputName: string;
  readonly action: HistoryAction;
  /** ISO timestamp (UTC). */
  readonly at: string;
  /** The user's e-mail, or `API key …xxxx`. */
  readonly actor: string;
  readonly changes: readonly FieldChange[];
}

/**
 * The field-level changes from `before` to `after` (an empty `before` for a
 * create). Values are shown masked (maskSecrets, at any depth); a change that
 * only a secret explains reads as `{field, secret: true}`.
 */
export function configurationChanges(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const key of keys) {
    if (key === MARKER_FIELD) continue;
    const a = before[key];
    const b = after[key];
    if (JSON_STRING_FIELDS.has(key)) {
      const pa = parseLiveJsonField(a);
      const pb = parseLiveJsonField(b);
      if (pa || pb) {
        const ma = pa ?? {};
        const mb = pb ?? {};
        for (const member of [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort())
          push(changes, `${key}.${member}`, member, ma[member], mb[member]);
        continue;
      }
    }
    push(changes, key, key, a, b);
  }
  return changes;
}

/** Records the change of `field` (named `key` in its object) unless nothing changed. */
function push(out: FieldChange[], field: string, key: string, a: unknown, b: unknown): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isSecretKey(key)) {
    out.push({ field, secret: true });
    return;
  }
  // Masked at any depth (nested secret keys, secret REST parameter values).
  const ma = a === undefined ? undefined : maskSecrets({ [key]: a })[key];
  const mb = b === undefined ? undefined : maskSecrets({ [key]: b })[key];
  if (JSON.stringify(ma) === JSON.stringify(mb)) {
    out.push({ field, secret: true });
    return;
  }
  out.push({
    field,
    ...(ma === undefined ? {} : { from: JSON.stringify(ma) }),
    ...(mb === undefined ? {} : { to: JSON.stringify(mb) }),
  });
}
