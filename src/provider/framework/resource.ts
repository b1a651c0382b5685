/**
 * What a resource is, for the framework: a schema and plain functions over
 * plain values. A resource never sees protobuf, msgpack or JSON; values are
 * plain objects (see wire/values: `UNKNOWN` marks a value known only after
 * apply), problems are {@link Diagnostic}s or thrown errors (an error with a
 * `code` and a `hint`, such as src/alooma's, keeps both).
 */
import type { Diagnostic } from '../wire/diagnostics';
import type { Logger } from '../wire/log';
import type { ObjectValue, Path } from '../wire/values';
import type { Schema } from './schema';

/** What every resource function gets besides its values. */
export interface ResourceContext<P> {
  /** What the provider's `configure` returned (an API client, ...); undefined before ConfigureProvider. */
  readonly provider: P | undefined;
  /** Aborted when Terraform calls StopProvider (Ctrl-C): stop work, leave things consistent. */
  readonly signal: AbortSignal;
  /** The provider's log (stderr, shown by TF_LOG). Never log values from configuration. */
  readonly log: Logger;
}

/** State plus the provider's private bytes (Terraform stores them with the state, unseen by users). */
export interface StateResult {
  /** The resource's full state; attributes left out are null. */
  readonly state: ObjectValue;
  /** New private data; omitted: the prior private data is kept. */
  readonly private?: Buffer;
}

/** What Plan (modify plan) may change. */
export interface PlanResult {
  /** The planned state; omitted: as the framework planned it. */
  readonly planned?: ObjectValue;
  /** Attributes whose change replaces the resource, besides those of `requiresReplace` plan modifiers. */
  readonly requiresReplace?: readonly Path[];
  readonly private?: Buffer;
  readonly diagnostics?: readonly Diagnostic[];
}

/** A state upgrader: turns state stored at one schema version into the next version's shape. */
export type StateUpgrader = (state: ObjectValue) => ObjectValue;

/** A managed resource type. */
export interface Resource<P = unknown> {
  /** The type name in configuration, prefixed by the provider's name (`alooma_database_input`). */
  readonly typeName: string;
  readonly schema: Schema;

  /**
   * Checks configuration (values may be unknown). Runs before the provider is
   * configured; return diagnostics with the attribute path, never a value.
   */
  validate?(
    request: { config: ObjectValue },
    ctx: ResourceContext<P>,
  ): Promise<Diagnostic[]> | Diagnostic[];

  /**
   * Modifies the plan the framework made (defaults, computed unknowns, plan
   * modifiers applied). Must depend only on config, prior and planned: Terraform plans
   * again during apply and requires the same known values. Not called on destroy.
   */
  plan?(
    request: {
      config: ObjectValue;
      prior: ObjectValue | null;
      planned: ObjectValue;
      private: Buffer;
    },
    ctx: ResourceContext<P>,
  ): Promise<PlanResult> | PlanResult;

  /**
   * Creates the object. `config` holds write-only values; `planned` has
   * unknowns where the result decides. Throwing (or an error diagnostic)
   * leaves no state: make a retry able to adopt what a failed create left.
   */
  create(
    request: { config: ObjectValue; planned: ObjectValue; private: Buffer },
    ctx: ResourceContext<P>,
  ): Promise<StateResult>;

  /** Reads the live object; null when it is really gone (a 404), never on other errors (throw). */
  read(
    request: { state: ObjectValue; private: Buffer },
    ctx: ResourceContext<P>,
  ): Promise<StateResult | null>;

  /** Updates in place. The result must carry the planned known values (the id included). */
  update(
    request: { config: ObjectValue; planned: ObjectValue; prior: ObjectValue; private: Buffer },
    ctx: ResourceContext<P>,
  ): Promise<StateResult>;

  /** Deletes; throwing keeps the resource in state. */
  delete(request: { prior: ObjectValue; private: Buffer }, ctx: ResourceContext<P>): Promise<void>;

  /**
   * Turns an import id into a state for Read to complete.
   * @default - `{ id }` when the schema has an `id` attribute; else import is refused
   */
  import?(request: { id: string }, ctx: ResourceContext<P>): Promise<StateResult> | StateResult;

  /**
   * One upgrader per older schema version: `upgraders[v]` turns version `v`
   * state into version `v + 1`.
   */
  readonly upgraders?: { readonly [version: number]: StateUpgrader };

  /**
   * Takes over state of another resource type (a `moved {}` block across
   * types); undefined when it cannot.
   */
  move?(
    request: {
      sourceProviderAddress: string;
      sourceTypeName: string;
      sourceSchemaVersion: number;
      sourceState: ObjectValue;
      sourcePrivate: Buffer;
    },
    ctx: ResourceContext<P>,
  ): Promise<StateResult | undefined> | StateResult | undefined;
}

/** A provider: its own configuration schema and its resources. */
export interface ProviderDefinition<P = unknown> {
  /** The provider's type name (`alooma`): every resource type name starts with it and `_`. */
  readonly name: string;
  /** The provider block's schema. */
  readonly schema: Schema;
  /** Checks the provider block (values may be unknown). */
  validate?(request: { config: ObjectValue }): Diagnostic[];
  /** Makes what resources need (an API client) from the provider block. */
  configure?(
    request: { config: ObjectValue; terraformVersion: string },
    ctx: { signal: AbortSignal; log: Logger },
  ): Promise<P> | P;
  readonly resources: readonly Resource<P>[];
}
