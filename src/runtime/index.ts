/**
 * alooma-cdktf's runtime as a library (`import ... from 'alooma-cdktf/runtime'`):
 * the Alooma API client, the reference API's `Inputs` class, and the diff
 * and reconcile engine. Never imports cdktf.
 */
export * from './client';
export { AloomaCdktfError } from '../alooma/errors';
export { checkInputSpec, InvalidInputError } from './reconcile/check-input';
export { Inputs, InputsError } from './inputs/inputs';
export type {
  InputsOptions,
  SourceCredentials,
  PreviewSwitches,
  ChangeResult,
  InputsClient,
} from './inputs/inputs';
export { planManifest, planPrune, planDelete, summarize } from './reconcile/plan';
export type { Plan, InputPlan, ActionKind, LiveInput } from './reconcile/plan';
export { applyPlan, MissingSecretError } from './reconcile/apply';
export { diffConfig } from './reconcile/diff';
export type { ConfigDiff, FieldChange } from './reconcile/diff';
export { formatPlan, compactLine, liveReportLines } from './reconcile/report';
export { generateImportCode } from './import/codegen';
export * from './protocol';
