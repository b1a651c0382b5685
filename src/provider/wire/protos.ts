/**
 * The protocol definitions (proto/*.proto), loaded for @grpc/grpc-js.
 *
 * The bundle (dist/provider.js, see scripts/bundle-runtime.js) carries the
 * .proto texts inline through the `__PROVIDER_PROTOS__` build constant, so
 * the provider stays one self-contained file; from the sources (tests,
 * ts-node) they are read from proto/ next to this module.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';

/** Set by the bundler to `{ <file name>: <text> }`; absent when running from the sources. */
declare const __PROVIDER_PROTOS__: Record<string, string> | undefined;

/** The .proto files this provider serves, by file name under proto/. */
export const PROTO_FILES = ['tfplugin6.proto', 'grpc_controller.proto'] as const;

/** The text of one protocol definition. */
export function protoText(file: (typeof PROTO_FILES)[number]): string {
  if (typeof __PROVIDER_PROTOS__ !== 'undefined') return __PROVIDER_PROTOS__[file];
  return fs.readFileSync(path.join(__dirname, 'proto', file), 'utf8');
}

/** Field names as written in the .proto (snake_case), 64-bit integers as numbers, bytes as Buffers. */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: Number,
  bytes: Buffer,
  defaults: true,
  oneofs: true,
};

/** The gRPC service definitions: `tfplugin6.Provider` and `plugin.GRPCController`. */
export interface ProtocolServices {
  readonly provider: grpc.ServiceDefinition;
  readonly controller: grpc.ServiceDefinition;
}

let loaded: ProtocolServices | undefined;

/** Parses the protocol definitions once per process. */
export function protocolServices(): ProtocolServices {
  if (loaded) return loaded;
  const root = new protobuf.Root();
  for (const file of PROTO_FILES) {
    protobuf.parse(protoText(file), root, { keepCase: true });
  }
  const definition = protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS);
  // A service's entry is its method table; message types have `format` instead.
  const service = (name: string) => definition[name] as grpc.ServiceDefinition;
  loaded = {
    provider: service('tfplugin6.Provider'),
    controller: service('plugin.GRPCController'),
  };
  return loaded;
}
