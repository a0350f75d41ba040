/**
 * Where the engine reports what an operator should see: checkpoints, recovery, failures
 * nobody else hears of (a background checkpoint has no client). The server hands in its
 * pino logger, whose methods have this shape; fields become JSON properties.
 */
export interface OpsLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** For callers without a logger (tests, tools): errors still reach stderr. */
export const STDERR_LOG: OpsLog = {
  info: () => {},
  warn: (fields, message) => process.stderr.write(`quiver: ${message} ${JSON.stringify(fields)}\n`),
  error: (fields, message) =>
    process.stderr.write(`quiver: ${message} ${JSON.stringify(fields, errorFields)}\n`),
};

function errorFields(_key: string, value: unknown): unknown {
  return value instanceof Error ? { message: value.message, stack: value.stack } : value;
}
