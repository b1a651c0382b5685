/**
 * JSON printing with the reference's pprint knobs: indent, width (a value
 * that fits on one line stays on one line) and depth (deeper values are
 * elided as `...`). Secrets are masked before anything is printed.
 */
import { maskSecrets } from '../../alooma/secret-fields';

/** pprint-style options. */
export interface PrettyOptions {
  /** Spaces per level. @default 2 */
  readonly indent?: number;
  /** Longest line kept on one line. @default 250 */
  readonly width?: number;
  /** Levels printed before eliding. @default 5 */
  readonly depth?: number;
}

/** Renders a value as indented JSON within the width and depth limits. */
export function prettyJson(value: unknown, options: PrettyOptions = {}): string {
  const indent = options.indent ?? 2;
  const width = options.width ?? 250;
  const depth = options.depth ?? 5;
  return render(maskSecrets(value), 0);

  function render(v: unknown, level: number): string {
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
    if (level >= depth) return Array.isArray(v) ? '[...]' : '{...}';
    const oneLine = JSON.stringify(v);
    if (oneLine.length + level * indent <= width && level > 0) return oneLine;
    const pad = ' '.repeat((level + 1) * indent);
    const end = ' '.repeat(level * indent);
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[\n${v.map((item) => pad + render(item, level + 1)).join(',\n')}\n${end}]`;
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, x]) => `${pad}${JSON.stringify(k)}: ${render(x, level + 1)}`).join(',\n')}\n${end}}`;
  }
}
