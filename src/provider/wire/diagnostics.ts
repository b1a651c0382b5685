/**
 * Diagnostics: what the provider tells Terraform went wrong (or might), with
 * the attribute it is about. Terraform prints the summary, the detail and
 * the configuration line of the attribute; so a diagnostic never carries a
 * value, which may be sensitive and the provider cannot always tell.
 */
import type { Path } from './values';

/** One diagnostic, as the framework and resources produce it. */
export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** One line: what is wrong. */
  readonly summary: string;
  /** More: why, and how to fix it. */
  readonly detail?: string;
  /** The attribute it is about, from the resource's root. */
  readonly path?: Path;
}

/** An error diagnostic. */
export function errorDiagnostic(summary: string, detail?: string, path?: Path): Diagnostic {
  return { severity: 'error', summary, detail, path };
}

/** A warning diagnostic. */
export function warningDiagnostic(summary: string, detail?: string, path?: Path): Diagnostic {
  return { severity: 'warning', summary, detail, path };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** The protocol's `AttributePath` message. */
export interface AttributePathMessage {
  steps: Array<{ attribute_name?: string; element_key_string?: string; element_key_int?: number }>;
}

/** The protocol's `Diagnostic` message. */
export interface DiagnosticMessage {
  severity: number;
  summary: string;
  detail: string;
  attribute?: AttributePathMessage;
}

/** A path as the protocol's `AttributePath`. */
export function attributePathMessage(path: Path): AttributePathMessage {
  return {
    steps: path.map((step) =>
      'attribute' in step
        ? { attribute_name: step.attribute }
        : 'key' in step
          ? { element_key_string: step.key }
          : { element_key_int: step.index },
    ),
  };
}

/** A path back from the protocol's `AttributePath`. */
export function pathFromMessage(message: AttributePathMessage | null | undefined): Path {
  return (message?.steps ?? []).map((step) =>
    step.attribute_name
      ? { attribute: step.attribute_name }
      : step.element_key_string !== undefined && step.element_key_string !== ''
        ? { key: step.element_key_string }
        : { index: Number(step.element_key_int ?? 0) },
  );
}

/** Diagnostics as protocol messages. */
export function diagnosticMessages(diagnostics: readonly Diagnostic[]): DiagnosticMessage[] {
  return diagnostics.map((d) => ({
    severity: d.severity === 'error' ? 1 : 2,
    summary: d.summary,
    detail: d.detail ?? '',
    ...(d.path && d.path.length > 0 ? { attribute: attributePathMessage(d.path) } : {}),
  }));
}
