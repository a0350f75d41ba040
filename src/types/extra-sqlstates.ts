/**
 * SQLSTATEs raised by the scalar functions that src/errors/sqlstate.ts does not list yet
 * (that file belongs to another module; these can move there later unchanged).
 */
import type { SqlStateCode } from '../errors/sqlstate.ts';

export const ExtraSqlState = {
  InvalidArgumentForLogarithm: '2201E' as string as SqlStateCode,
  InvalidArgumentForPowerFunction: '2201F' as string as SqlStateCode,
  InvalidRegularExpression: '2201B' as string as SqlStateCode,
  InvalidEscapeCharacter: '22019' as string as SqlStateCode,
  SubstringError: '22011' as string as SqlStateCode,
} as const;
