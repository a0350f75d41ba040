/**
 * The QuiverNode service definition, loaded once from ../proto/quiver.proto at run time
 * (proto-loader on protobufjs: no code generation step, and protobufjs needs no install
 * script). Loader options fix the shapes proto-codec.ts expects.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export const PROTO_PATH = fileURLToPath(new URL('../proto/quiver.proto', import.meta.url));
const SERVICE_NAME = 'quiver.cluster.v1.QuiverNode';

const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  // uint64 → decimal string: exact above 2^53, and cheap to turn into bigint.
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Large enough for a FetchRows batch of a few thousand wide rows; batches are cut below it. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

let loaded: grpc.ServiceDefinition | undefined;

export function quiverNodeService(): grpc.ServiceDefinition {
  if (!loaded) {
    const definition = protoLoader.loadSync(PROTO_PATH, LOADER_OPTIONS);
    loaded = definition[SERVICE_NAME] as grpc.ServiceDefinition;
  }
  return loaded;
}

let clientConstructor: grpc.ServiceClientConstructor | undefined;

export function quiverNodeClientConstructor(): grpc.ServiceClientConstructor {
  clientConstructor ??= grpc.makeGenericClientConstructor(quiverNodeService(), 'QuiverNode');
  return clientConstructor;
}
