/**
 * Constants of the PostgreSQL v3 frontend/backend protocol (PostgreSQL docs, chapter
 * "Frontend/Backend Protocol", section "Message Formats").
 */

/** First byte of messages the client sends after startup. */
export const FrontendCode = {
  Query: 0x51, // 'Q'
  Parse: 0x50, // 'P'
  Bind: 0x42, // 'B'
  Describe: 0x44, // 'D'
  Execute: 0x45, // 'E'
  Close: 0x43, // 'C'
  Sync: 0x53, // 'S'
  Flush: 0x48, // 'H'
  Terminate: 0x58, // 'X'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyFail: 0x66, // 'f'
  /** PasswordMessage, SASLInitialResponse and SASLResponse all use 'p'. */
  Password: 0x70, // 'p'
  FunctionCall: 0x46, // 'F'
} as const;

/** First byte of messages the server sends. */
export const BackendCode = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  CommandComplete: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  DataRow: 0x44, // 'D'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  NegotiateProtocolVersion: 0x76, // 'v'
  NoData: 0x6e, // 'n'
  NoticeResponse: 0x4e, // 'N'
  ParameterDescription: 0x74, // 't'
  ParameterStatus: 0x53, // 'S'
  ParseComplete: 0x31, // '1'
  PortalSuspended: 0x73, // 's'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
} as const;

/** Sub-codes of the Authentication ('R') message. */
export const AuthCode = {
  Ok: 0,
  CleartextPassword: 3,
  MD5Password: 5,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** Request codes that take the place of a protocol version in the first packet. */
export const StartupCode = {
  SSLRequest: 80877103, // 1234 << 16 | 5679
  GSSENCRequest: 80877104, // 1234 << 16 | 5680
  CancelRequest: 80877102, // 1234 << 16 | 5678
} as const;

/** The protocol version Quiver speaks: 3.0. Minor versions above 0 are negotiated down. */
export const PROTOCOL_MAJOR = 3;
export const PROTOCOL_MINOR = 0;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET_BYTES = 10_000;

/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, applied to messages that never carry payloads. */
export const SMALL_MESSAGE_BYTES = 10_000;

/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH: cap for password and SASL messages. */
export const MAX_AUTH_MESSAGE_BYTES = 65_535;

/** Default cap for any other message (PostgreSQL allows up to 1 GiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** Output is handed to the socket once this much is buffered, even before Sync/Flush. */
export const OUTPUT_FLUSH_BYTES = 64 * 1024;

/** Message types whose body is empty or tiny; a long length for them is malformed. */
export function isSmallMessage(type: number): boolean {
  return (
    type === FrontendCode.Sync ||
    type === FrontendCode.Flush ||
    type === FrontendCode.Terminate ||
    type === FrontendCode.CopyDone ||
    type === FrontendCode.CopyFail ||
    type === FrontendCode.Describe ||
    type === FrontendCode.Close ||
    type === FrontendCode.Execute
  );
}

const KNOWN_FRONTEND_TYPES = new Uint8Array(256);
for (const code of Object.values(FrontendCode)) KNOWN_FRONTEND_TYPES[code] = 1;

/** Every message type a client may legitimately send after startup. */
export function isKnownFrontendType(type: number): boolean {
  return KNOWN_FRONTEND_TYPES[type] === 1;
}
