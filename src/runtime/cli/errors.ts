/**
 * How the CLI reports a failure: one readable line, then a hint. Every error
 * the runtime raises carries a stable `code` and, where it can, a `hint`.
 */

import { AloomaCdktfError, AloomaErrorCode } from '../../alooma/errors';

/** An error of the CLI's own making (bad arguments, manifest, environment). */
export class CliError extends AloomaCdktfError {
  constructor(
    code: AloomaErrorCode,
    message: string,
    hint?: string,
    /** Process exit code. */
    readonly exitCode = 1,
  ) {
    super(code, message, hint);
  }
}

/** Renders any error as `error[code]: message` plus an optional `hint:` line. */
export function formatError(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; hint?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' ? `[${e.code}]` : '';
  const firstLine = message.split('\n')[0];
  const hint = typeof e?.hint === 'string' && e.hint ? `\n  hint: ${e.hint}` : '';
  return `error${code}: ${firstLine}${hint}`;
}
