/**
 * The server's structured log: pino, one JSON object per line on stderr (stdout stays free
 * for what a command prints on purpose, like `--help`). Written synchronously: lines are
 * few (start, recovery, checkpoints, errors — never one per query) and must not be lost
 * when the process exits right after writing them.
 */
import { type Logger, pino } from 'pino';
import type { WireLogger } from '../wire/index.ts';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function createLogger(level: LogLevel): Logger {
  return pino(
    {
      name: 'quiver',
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      // "level":"info" rather than pino's 30: readable without pino's tables.
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}

/** The wire layer's reporting interface over the server's log. */
export function wireLogger(log: Logger): WireLogger {
  return {
    error: (message, error) => log.error(error === undefined ? {} : { err: error }, message),
    debug: (message, error) => log.debug(error === undefined ? {} : { err: error }, message),
  };
}
