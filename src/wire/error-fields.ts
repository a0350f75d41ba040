/**
 * The fields of ErrorResponse and NoticeResponse (protocol section "Error and Notice Message
 * Fields"), in the order PostgreSQL sends them.
 */
import type { SqlError } from '../errors/sql-error.ts';
import type { Notice } from './session.ts';

/** A field: its one-byte code (as a character) and its text. */
export type ErrorField = readonly [code: string, value: string];

export function errorFields(error: SqlError): ErrorField[] {
  const fields: ErrorField[] = [
    // 'S' may be localized, 'V' never is; Quiver does not localize, so they agree.
    ['S', error.severity],
    ['V', error.severity],
    ['C', error.code],
    ['M', error.message],
  ];
  const optional: [string, string | number | undefined][] = [
    ['D', error.detail],
    ['H', error.hint],
    ['P', error.position],
    ['p', error.internalPosition],
    ['q', error.internalQuery],
    ['W', error.where],
    ['s', error.schema],
    ['t', error.table],
    ['c', error.column],
    ['d', error.dataType],
    ['n', error.constraint],
  ];
  for (const [code, value] of optional) if (value !== undefined) fields.push([code, String(value)]);
  return fields;
}

export function noticeFields(notice: Notice): ErrorField[] {
  const fields: ErrorField[] = [
    ['S', notice.severity],
    ['V', notice.severity],
    ['C', notice.code],
    ['M', notice.message],
  ];
  if (notice.detail !== undefined) fields.push(['D', notice.detail]);
  if (notice.hint !== undefined) fields.push(['H', notice.hint]);
  return fields;
}
