/**
 * The provider framework: resources as schemas and plain functions, served
 * over the plugin protocol by the wire layer (../wire).
 */
import { Logger, logLevelFromEnv } from '../wire/log';
import { runPlugin } from '../wire/server';
import { FrameworkServer } from './provider-server';
import type { ProviderDefinition } from './resource';

export { UNKNOWN, Unknown, formatPath } from '../wire/values';
export type { ObjectValue, Path, PathStep, Value } from '../wire/values';
export { errorDiagnostic, warningDiagnostic } from '../wire/diagnostics';
export type { Diagnostic } from '../wire/diagnostics';
export type { Logger } from '../wire/log';
export { keepPriorValue, requiresReplace, requiresReplaceIf } from './plan-modifiers';
export type { PlanModifier, PlanModifierRequest, PlanModifierResponse } from './plan-modifiers';
export { types } from './schema';
export type { Attribute, Attributes, Nesting, Schema } from './schema';
export type {
  PlanResult,
  ProviderDefinition,
  Resource,
  ResourceContext,
  StateResult,
  StateUpgrader,
} from './resource';
export { FrameworkServer, SERVER_CAPABILITIES } from './provider-server';

/** How {@link serveProvider} runs. */
export interface ServeProviderOptions {
  /** Called when Terraform's Shutdown arrives, just before the process exits. */
  readonly onShutdown?: () => void;
}

/**
 * Runs `definition` as the provider executable `terraform-provider-<name>`:
 * the process's whole life (see wire/server's `runPlugin`).
 */
export function serveProvider<P>(
  definition: ProviderDefinition<P>,
  options: ServeProviderOptions = {},
): void {
  const name = `terraform-provider-${definition.name}`;
  runPlugin((log: Logger) => new FrameworkServer(definition, log), {
    name,
    logger: new Logger(name, logLevelFromEnv(process.env)),
    onShutdown: options.onShutdown,
  });
}
