/**
 * The protocol messages the provider exchanges, as @grpc/proto-loader hands
 * them over (field names as in proto/tfplugin6.proto, bytes as Buffers,
 * int64 as numbers). Only the wire and the framework see these; resources
 * never do.
 */
import type { AttributePathMessage, DiagnosticMessage } from './diagnostics';

/** A value as msgpack or JSON bytes; read it with the values module against the schema's type. */
export interface DynamicValue {
  msgpack?: Buffer;
  json?: Buffer;
}

/** Stored state: JSON, or the legacy flatmap (never written by this provider). */
export interface RawState {
  json?: Buffer;
  flatmap?: Record<string, string>;
}

/** `Schema.Attribute`. */
export interface SchemaAttributeMessage {
  name: string;
  type?: Buffer;
  nested_type?: { attributes: SchemaAttributeMessage[]; nesting: number };
  description: string;
  required: boolean;
  optional: boolean;
  computed: boolean;
  sensitive: boolean;
  description_kind: number;
  deprecated: boolean;
  write_only: boolean;
}

/** `Schema`. */
export interface SchemaMessage {
  version: number;
  block: {
    version: number;
    attributes: SchemaAttributeMessage[];
    block_types: never[];
    description: string;
    description_kind: number;
    deprecated: boolean;
  };
}

/** `ServerCapabilities`. */
export interface ServerCapabilities {
  plan_destroy: boolean;
  get_provider_schema_optional: boolean;
  move_resource_state: boolean;
}

/** `ClientCapabilities`. */
export interface ClientCapabilities {
  deferral_allowed?: boolean;
  write_only_attributes_allowed?: boolean;
}

type Diagnostics = { diagnostics: DiagnosticMessage[] };

/**
 * What the wire layer needs from the layer above: one method per RPC of
 * `tfplugin6.Provider` that a provider without data sources, functions or
 * ephemeral resources serves. The wire answers the others itself.
 */
export interface ProviderServer {
  getMetadata(): Promise<
    Diagnostics & {
      server_capabilities: ServerCapabilities;
      resources: Array<{ type_name: string }>;
    }
  >;
  getProviderSchema(): Promise<
    Diagnostics & {
      provider: SchemaMessage;
      resource_schemas: Record<string, SchemaMessage>;
      server_capabilities: ServerCapabilities;
    }
  >;
  validateProviderConfig(req: { config?: DynamicValue }): Promise<Diagnostics>;
  configureProvider(req: {
    terraform_version: string;
    config?: DynamicValue;
    client_capabilities?: ClientCapabilities;
  }): Promise<Diagnostics>;
  validateResourceConfig(req: { type_name: string; config?: DynamicValue }): Promise<Diagnostics>;
  upgradeResourceState(req: {
    type_name: string;
    version: number;
    raw_state?: RawState;
  }): Promise<Diagnostics & { upgraded_state?: DynamicValue }>;
  readResource(req: {
    type_name: string;
    current_state?: DynamicValue;
    private: Buffer;
  }): Promise<Diagnostics & { new_state?: DynamicValue; private: Buffer }>;
  planResourceChange(req: {
    type_name: string;
    prior_state?: DynamicValue;
    proposed_new_state?: DynamicValue;
    config?: DynamicValue;
    prior_private: Buffer;
  }): Promise<
    Diagnostics & {
      planned_state?: DynamicValue;
      requires_replace: AttributePathMessage[];
      planned_private: Buffer;
    }
  >;
  applyResourceChange(req: {
    type_name: string;
    prior_state?: DynamicValue;
    planned_state?: DynamicValue;
    config?: DynamicValue;
    planned_private: Buffer;
  }): Promise<Diagnostics & { new_state?: DynamicValue; private: Buffer }>;
  importResourceState(req: { type_name: string; id: string }): Promise<
    Diagnostics & {
      imported_resources: Array<{ type_name: string; state?: DynamicValue; private: Buffer }>;
    }
  >;
  moveResourceState(req: {
    source_provider_address: string;
    source_type_name: string;
    source_schema_version: number;
    source_state?: RawState;
    target_type_name: string;
    source_private: Buffer;
  }): Promise<Diagnostics & { target_state?: DynamicValue; target_private: Buffer }>;
  /** Cancels work in flight (StopProvider); resolves once the cancellation is signalled. */
  stopProvider(): Promise<void>;
}
