/**
 * The framework's side of the wire: a {@link ProviderServer} made from a
 * {@link ProviderDefinition}. It decodes values against schemas, runs the
 * framework's planning and the resource's functions, and enforces the
 * protocol's rules on what goes back: every object carries every attribute,
 * write-only attributes are null, no unknown leaves apply or read, apply
 * returns the planned known values (the id kept on update), Read echoes
 * `private`, a failed create returns no state.
 */
import {
  diagnosticMessages,
  errorDiagnostic,
  hasErrors,
  attributePathMessage,
  type Diagnostic,
} from '../wire/diagnostics';
import type { Logger } from '../wire/log';
import type { DynamicValue, ProviderServer, RawState, ServerCapabilities } from '../wire/messages';
import {
  conform,
  decodeJson,
  decodeMsgpack,
  encodeMsgpack,
  isPlainObject,
  unknownPaths,
  ValueCodecError,
  type CtyType,
  type ObjectValue,
  type Value,
} from '../wire/values';
import { checkMatchesPlan, checkPlannedAsConfigured, nullWriteOnly, planChange } from './planning';
import type { ProviderDefinition, Resource, ResourceContext, StateResult } from './resource';
import { checkSchema, schemaMessage, schemaType } from './schema';

/** Capabilities this framework serves. */
export const SERVER_CAPABILITIES: ServerCapabilities = {
  plan_destroy: false,
  // the schema never changes within a provider version: Terraform may use its cached copy
  get_provider_schema_optional: true,
  move_resource_state: true,
};

const EMPTY = Buffer.alloc(0);

interface ResourceEntry<P> {
  readonly resource: Resource<P>;
  readonly type: CtyType;
}

/** Turns a thrown error into a diagnostic: its message, and its hint and code when it has them. */
export function diagnosticFromError(summary: string, error: unknown): Diagnostic {
  if (error instanceof ValueCodecError) {
    return errorDiagnostic(summary, `${error.message}.`, error.path);
  }
  const e = error as { message?: unknown; hint?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const parts = [message];
  if (typeof e?.hint === 'string' && e.hint) parts.push(`Hint: ${e.hint}`);
  if (typeof e?.code === 'string' && e.code) parts.push(`(error code: ${e.code})`);
  return errorDiagnostic(summary, parts.join('\n'));
}

/** The {@link ProviderServer} of a provider definition. */
export class FrameworkServer<P> implements ProviderServer {
  private readonly resources = new Map<string, ResourceEntry<P>>();
  private readonly providerType: CtyType;
  private providerData: P | undefined;
  private stop = new AbortController();

  constructor(
    private readonly definition: ProviderDefinition<P>,
    private readonly log: Logger,
  ) {
    checkSchema(definition.schema, definition.name);
    this.providerType = schemaType(definition.schema);
    for (const resource of definition.resources) {
      if (!resource.typeName.startsWith(`${definition.name}_`)) {
        throw new Error(`resource type ${resource.typeName} must start with "${definition.name}_"`);
      }
      checkSchema(resource.schema, resource.typeName);
      this.resources.set(resource.typeName, { resource, type: schemaType(resource.schema) });
    }
  }

  private ctx(): ResourceContext<P> {
    return { provider: this.providerData, signal: this.stop.signal, log: this.log };
  }

  private entry(typeName: string): ResourceEntry<P> {
    const entry = this.resources.get(typeName);
    if (!entry) throw new UnknownType(typeName);
    return entry;
  }

  async getMetadata() {
    return {
      server_capabilities: SERVER_CAPABILITIES,
      resources: [...this.resources.keys()].map((type_name) => ({ type_name })),
      diagnostics: [],
    };
  }

  async getProviderSchema() {
    const resource_schemas: Record<string, ReturnType<typeof schemaMessage>> = {};
    for (const [name, { resource }] of this.resources)
      resource_schemas[name] = schemaMessage(resource.schema);
    return {
      provider: schemaMessage(this.definition.schema),
      resource_schemas,
      server_capabilities: SERVER_CAPABILITIES,
      diagnostics: [],
    };
  }

  async validateProviderConfig(req: { config?: DynamicValue }) {
    return this.guard('Invalid provider configuration', async () => {
      const config = this.decodeObject(req.config, this.providerType);
      return this.definition.validate?.({ config: config ?? {} }) ?? [];
    });
  }

  async configureProvider(req: { terraform_version: string; config?: DynamicValue }) {
    return this.guard('Cannot configure the provider', async () => {
      const config = this.decodeObject(req.config, this.providerType) ?? {};
      this.providerData = await this.definition.configure?.(
        { config, terraformVersion: req.terraform_version },
        { signal: this.stop.signal, log: this.log },
      );
      return [];
    });
  }

  async validateResourceConfig(req: { type_name: string; config?: DynamicValue }) {
    return this.guard('Invalid configuration', async () => {
      const { resource, type } = this.entry(req.type_name);
      const config = this.decodeObject(req.config, type);
      if (!config || !resource.validate) return [];
      return resource.validate({ config }, this.ctx());
    });
  }

  async upgradeResourceState(req: { type_name: string; version: number; raw_state?: RawState }) {
    const diagnostics: Diagnostic[] = [];
    try {
      const { resource, type } = this.entry(req.type_name);
      const state = this.upgrade(resource, type, Number(req.version), req.raw_state);
      return {
        upgraded_state: { msgpack: Buffer.from(encodeMsgpack(state, type)) },
        diagnostics: [],
      };
    } catch (error) {
      diagnostics.push(diagnosticFromError('Cannot read the stored state', error));
      return { diagnostics: diagnosticMessages(diagnostics) };
    }
  }

  private upgrade(
    resource: Resource<P>,
    type: CtyType,
    from: number,
    raw: RawState | undefined,
  ): Value {
    const current = resource.schema.version ?? 0;
    if (!raw?.json || raw.json.length === 0) {
      throw new Error('the state is in the legacy flatmap format, which this provider never wrote');
    }
    if (from > current) {
      throw new Error(
        `the state was written by a newer provider (schema version ${from}; this one knows up to ${current}). Use that provider version or newer.`,
      );
    }
    if (from === current) return decodeJson(raw.json, type);
    let state = JSON.parse(raw.json.toString('utf8')) as ObjectValue;
    for (let version = from; version < current; version++) {
      const upgrader = resource.upgraders?.[version];
      if (!upgrader)
        throw new Error(`no state upgrader from schema version ${version} of ${resource.typeName}`);
      state = upgrader(state);
    }
    return conform(state, type, [], false);
  }

  async readResource(req: { type_name: string; current_state?: DynamicValue; private: Buffer }) {
    try {
      return await this.read(req);
    } catch (error) {
      // an unknown type or a state that does not decode: the state stays as it was
      return {
        new_state: req.current_state,
        private: req.private ?? EMPTY,
        diagnostics: diagnosticMessages([diagnosticFromError('Cannot read the resource', error)]),
      };
    }
  }

  private async read(req: { type_name: string; current_state?: DynamicValue; private: Buffer }) {
    const priv = req.private ?? EMPTY;
    const { resource, type } = this.entry(req.type_name);
    const current = this.decodeObject(req.current_state, type);
    const unchanged = { new_state: req.current_state, private: priv };
    if (current === null) return { ...unchanged, diagnostics: [] };
    let result: StateResult | null;
    try {
      result = await resource.read({ state: current, private: priv }, this.ctx());
    } catch (error) {
      // never "gone" on an error: the state stays as it was, the diagnostic says why
      return {
        ...unchanged,
        diagnostics: diagnosticMessages([diagnosticFromError('Cannot read the resource', error)]),
      };
    }
    if (result === null)
      return {
        new_state: { msgpack: Buffer.from(encodeMsgpack(null, type)) },
        private: EMPTY,
        diagnostics: [],
      };
    const checked = this.checkResult(resource, type, result.state, 'Read');
    if (hasErrors(checked.diagnostics))
      return { ...unchanged, diagnostics: diagnosticMessages(checked.diagnostics) };
    return {
      new_state: { msgpack: Buffer.from(encodeMsgpack(checked.state, type)) },
      // Terraform requires private data to survive Read
      private: result.private ?? priv,
      diagnostics: [],
    };
  }

  async planResourceChange(req: {
    type_name: string;
    prior_state?: DynamicValue;
    proposed_new_state?: DynamicValue;
    config?: DynamicValue;
    prior_private: Buffer;
  }) {
    const priorPrivate = req.prior_private ?? EMPTY;
    const empty = { requires_replace: [], planned_private: priorPrivate };
    try {
      const { resource, type } = this.entry(req.type_name);
      const prior = this.decodeObject(req.prior_state, type);
      const proposed = this.decodeObject(req.proposed_new_state, type);
      const config = this.decodeObject(req.config, type);
      if (proposed === null || config === null) {
        // destroy: nothing to plan
        return { ...empty, planned_state: req.proposed_new_state, diagnostics: [] };
      }
      const attributes = resource.schema.attributes;
      const framework = planChange(attributes, config, prior, proposed);
      let planned = framework.planned;
      const replace = [...framework.requiresReplace];
      let plannedPrivate = priorPrivate;
      const diagnostics: Diagnostic[] = [];
      if (resource.plan) {
        const result = await resource.plan(
          { config, prior, planned, private: priorPrivate },
          this.ctx(),
        );
        diagnostics.push(...(result.diagnostics ?? []));
        if (result.planned) planned = conform(result.planned, type, [], true) as ObjectValue;
        replace.push(...(result.requiresReplace ?? []));
        if (result.private) plannedPrivate = result.private;
      }
      planned = nullWriteOnly(attributes, planned);
      diagnostics.push(...checkPlannedAsConfigured(attributes, config, planned));
      if (hasErrors(diagnostics)) return { ...empty, diagnostics: diagnosticMessages(diagnostics) };
      return {
        planned_state: { msgpack: Buffer.from(encodeMsgpack(planned, type)) },
        requires_replace: prior === null ? [] : replace.map(attributePathMessage),
        planned_private: plannedPrivate,
        diagnostics: diagnosticMessages(diagnostics),
      };
    } catch (error) {
      return {
        ...empty,
        diagnostics: diagnosticMessages([diagnosticFromError('Cannot plan the change', error)]),
      };
    }
  }

  async applyResourceChange(req: {
    type_name: string;
    prior_state?: DynamicValue;
    planned_state?: DynamicValue;
    config?: DynamicValue;
    planned_private: Buffer;
  }) {
    try {
      return await this.apply(req);
    } catch (error) {
      // an unknown type or a value that does not decode: Terraform keeps the prior state
      return {
        new_state: req.prior_state,
        private: req.planned_private ?? EMPTY,
        diagnostics: diagnosticMessages([diagnosticFromError('Cannot apply the change', error)]),
      };
    }
  }

  private async apply(req: {
    type_name: string;
    prior_state?: DynamicValue;
    planned_state?: DynamicValue;
    config?: DynamicValue;
    planned_private: Buffer;
  }) {
    const priv = req.planned_private ?? EMPTY;
    const { resource, type } = this.entry(req.type_name);
    const prior = this.decodeObject(req.prior_state, type);
    const planned = this.decodeObject(req.planned_state, type);
    const config = this.decodeObject(req.config, type);
    const encode = (v: ObjectValue | null) => ({ msgpack: Buffer.from(encodeMsgpack(v, type)) });
    const ctx = this.ctx();

    if (planned === null) {
      if (prior === null) return { new_state: encode(null), private: EMPTY, diagnostics: [] };
      try {
        await resource.delete({ prior, private: priv }, ctx);
        return { new_state: encode(null), private: EMPTY, diagnostics: [] };
      } catch (error) {
        // the object may still exist: keep it in state
        return {
          new_state: encode(prior),
          private: priv,
          diagnostics: diagnosticMessages([
            diagnosticFromError('Cannot delete the resource', error),
          ]),
        };
      }
    }

    const creating = prior === null;
    // what Terraform keeps when the call fails: no state after a failed create, the prior one after a failed update
    const onFailure = (diagnostics: Diagnostic[]) => ({
      new_state: encode(prior),
      private: priv,
      diagnostics: diagnosticMessages(diagnostics),
    });
    let result: StateResult;
    try {
      result = creating
        ? await resource.create({ config: config ?? {}, planned, private: priv }, ctx)
        : await resource.update(
            { config: config ?? {}, planned, prior: prior!, private: priv },
            ctx,
          );
    } catch (error) {
      return onFailure([
        diagnosticFromError(
          creating ? 'Cannot create the resource' : 'Cannot update the resource',
          error,
        ),
      ]);
    }
    const checked = this.checkResult(resource, type, result.state, creating ? 'Create' : 'Update');
    const diagnostics = [...checked.diagnostics];
    if (!hasErrors(diagnostics))
      diagnostics.push(...checkMatchesPlan(type, planned, checked.state));
    if (!creating && 'id' in resource.schema.attributes && !hasErrors(diagnostics)) {
      if (prior!.id !== null && checked.state.id !== prior!.id) {
        diagnostics.push(
          errorDiagnostic(
            'Provider produced an invalid result (Update)',
            'An update must keep the id; a new object needs a replacement (requires replace). This is a bug in the provider.',
            [{ attribute: 'id' }],
          ),
        );
      }
    }
    if (hasErrors(diagnostics)) return onFailure(diagnostics);
    return { new_state: encode(checked.state), private: result.private ?? priv, diagnostics: [] };
  }

  async importResourceState(req: { type_name: string; id: string }) {
    try {
      const { resource, type } = this.entry(req.type_name);
      let result: StateResult;
      if (resource.import) result = await resource.import({ id: req.id }, this.ctx());
      else if ('id' in resource.schema.attributes) result = { state: { id: req.id } };
      else throw new Error(`${req.type_name} cannot be imported`);
      const state = nullWriteOnly(
        resource.schema.attributes,
        conform(result.state, type, [], false) as ObjectValue,
      );
      return {
        imported_resources: [
          {
            type_name: req.type_name,
            state: { msgpack: Buffer.from(encodeMsgpack(state, type)) },
            private: result.private ?? EMPTY,
          },
        ],
        diagnostics: [],
      };
    } catch (error) {
      return {
        imported_resources: [],
        diagnostics: diagnosticMessages([diagnosticFromError('Cannot import', error)]),
      };
    }
  }

  async moveResourceState(req: Parameters<ProviderServer['moveResourceState']>[0]) {
    try {
      const { resource, type } = this.entry(req.target_type_name);
      const json = req.source_state?.json;
      if (!json || json.length === 0) throw new Error('the source state has no JSON form');
      const sourceState = JSON.parse(json.toString('utf8')) as unknown;
      if (!isPlainObject(sourceState)) throw new Error('the source state is not an object');
      const result = await resource.move?.(
        {
          sourceProviderAddress: req.source_provider_address,
          sourceTypeName: req.source_type_name,
          sourceSchemaVersion: Number(req.source_schema_version),
          sourceState,
          sourcePrivate: req.source_private ?? EMPTY,
        },
        this.ctx(),
      );
      if (!result) {
        throw new Error(
          `${req.target_type_name} cannot take over a ${req.source_type_name} from ${req.source_provider_address}`,
        );
      }
      const state = nullWriteOnly(
        resource.schema.attributes,
        conform(result.state, type, [], false) as ObjectValue,
      );
      return {
        target_state: { msgpack: Buffer.from(encodeMsgpack(state, type)) },
        target_private: result.private ?? EMPTY,
        diagnostics: [],
      };
    } catch (error) {
      return {
        target_private: EMPTY,
        diagnostics: diagnosticMessages([diagnosticFromError('Cannot move the resource', error)]),
      };
    }
  }

  async stopProvider() {
    this.log.info('StopProvider: cancelling work in flight');
    this.stop.abort(new Error('Terraform asked the provider to stop'));
  }

  /** Completes a resource's returned state and checks the rules on returned state. */
  private checkResult(
    resource: Resource<P>,
    type: CtyType,
    state: ObjectValue,
    what: string,
  ): { state: ObjectValue; diagnostics: Diagnostic[] } {
    let complete: ObjectValue;
    try {
      complete = nullWriteOnly(
        resource.schema.attributes,
        conform(state, type, [], true) as ObjectValue,
      );
    } catch (error) {
      return {
        state,
        diagnostics: [diagnosticFromError(`Provider produced an invalid result (${what})`, error)],
      };
    }
    const unknown = unknownPaths(complete, type).map((path) =>
      errorDiagnostic(
        `Provider produced an invalid result (${what})`,
        'This attribute is still unknown after the operation; every value must be known. This is a bug in the provider.',
        path,
      ),
    );
    return { state: complete, diagnostics: unknown };
  }

  private decodeObject(value: DynamicValue | undefined, type: CtyType): ObjectValue | null {
    if (!value) return null;
    const decoded =
      value.msgpack && value.msgpack.length > 0
        ? decodeMsgpack(value.msgpack, type)
        : value.json && value.json.length > 0
          ? decodeJson(value.json, type)
          : null;
    return decoded as ObjectValue | null;
  }

  private async guard(summary: string, run: () => Promise<Diagnostic[]>) {
    try {
      return { diagnostics: diagnosticMessages(await run()) };
    } catch (error) {
      return { diagnostics: diagnosticMessages([diagnosticFromError(summary, error)]) };
    }
  }
}

/** A request named a resource type this provider does not have. */
export class UnknownType extends Error {
  /** Stable error code. */
  readonly code = 'provider_unknown_type';
  constructor(typeName: string) {
    super(`this provider has no resource type "${typeName}"`);
    this.name = 'UnknownType';
  }
}
