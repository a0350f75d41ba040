/** The wire layer's public surface: the server, the Session contract and SCRAM helpers. */
export type { CancelKey } from './cancel-registry.ts';
export type { ConnectionState } from './connection.ts';
export {
  DEFAULT_SCRAM_ITERATIONS,
  formatScramVerifier,
  makeScramVerifier,
  parseScramVerifier,
} from './scram-verifier.ts';
export { WireServer, type WireServerOptions } from './server.ts';
export type * from './session.ts';
export type { WireLogger } from './socket-channel.ts';
