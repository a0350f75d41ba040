/**
 * Engine-side functions: those that read or change session or catalog state (sequences,
 * settings, sleeping, identity). The binder asks these before the pure function registry.
 */
import type { BindContext } from '../bind/bind-context.ts';
import type { BoundExpr, SessionCallEnv } from '../bind/bound-expr.ts';
import { tryCoerce } from '../bind/coercion.ts';
import type { SessionFunctions } from '../bind/session-functions.ts';
import type { Sequence } from '../catalog/catalog-types.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { SqlValueExpr } from '../sql/ast.ts';
import { ArrayValue } from '../types/array.ts';
import { type SqlType, T, type Value } from '../types/type.ts';
import { resolveCatalogFunction } from './catalog-functions.ts';
import { resolveSerialSequence } from './serial-sequence.ts';

/** What these functions need from the owning session. */
export interface SessionState {
  readonly user: string;
  readonly databaseName: string;
  readonly processId: number;
  getSetting(name: string): string;
  setSetting(name: string, value: string): void;
  /** Last value nextval() returned per sequence in this session (currval). */
  readonly lastSequenceValues: Map<number, bigint>;
  findSequence(name: string): Sequence | undefined;
  sequenceByOid(oid: number): Sequence | undefined;
  /** A sequence moved: its new value must reach the WAL with the next commit. */
  sequenceAdvanced(seq: Sequence): void;
  /** Throws 25006 when the current transaction is read only (`command`: "nextval()"). */
  checkWritable(command: string): void;
  /**
   * A standby session that forwards its writes keeps what nextval() set in its session on
   * the leader: currval() runs there (this throws to send the statement).
   */
  readsLeaderSession(): void;
  readonly serverVersion: string;
  /** pg_cancel_backend: cancels another session's running statement; false for no such pid. */
  cancelBackend(processId: number): boolean;
}

type Impl = (args: Value[], env: SessionCallEnv) => Value;

function call(name: string, type: SqlType, args: BoundExpr[], impl: Impl): BoundExpr {
  return { kind: 'SessionCall', type, name, args, impl };
}

function textArgs(args: readonly BoundExpr[], bc: BindContext, loc: number): BoundExpr[] {
  return args.map((a) => {
    const out = tryCoerce(a, T.text, 'implicit', bc) ?? tryCoerce(a, T.text, 'explicit', bc);
    if (!out)
      throw new SqlError(SqlState.UndefinedFunction, 'function argument must be text', { position: loc + 1 });
    return out;
  });
}

export function sessionFunctions(state: SessionState): SessionFunctions {
  const sequenceArg = (v: Value): Sequence => {
    const seq = typeof v === 'number' ? state.sequenceByOid(v) : state.findSequence(String(v));
    if (!seq) throw new SqlError(SqlState.UndefinedTable, `relation "${String(v)}" does not exist`);
    return seq;
  };
  const nextval = (seq: Sequence): bigint => {
    state.checkWritable('nextval()');
    const value = seq.called ? seq.next + seq.increment : seq.next;
    seq.next = value;
    seq.called = true;
    state.sequenceAdvanced(seq);
    state.lastSequenceValues.set(seq.oid, BigInt(value));
    return BigInt(value);
  };
  return {
    resolve(name, args, bc, loc) {
      switch (name) {
        case 'nextval':
          return call(
            name,
            T.int8,
            args.map((a) => (a.type.base === 'regclass' ? a : textArgs([a], bc, loc)[0])),
            ([v]) => nextval(sequenceArg(v)),
          );
        case 'currval':
          return call(name, T.int8, textArgs(args, bc, loc), ([v]) => {
            state.readsLeaderSession();
            const seq = sequenceArg(v);
            const last = state.lastSequenceValues.get(seq.oid);
            if (last === undefined) {
              throw new SqlError(
                SqlState.ObjectNotInPrerequisiteState,
                `currval of sequence "${seq.name}" is not yet defined in this session`,
              );
            }
            return last;
          });
        case 'setval':
          return call(
            name,
            T.int8,
            [textArgs([args[0]], bc, loc)[0], tryCoerce(args[1], T.int8, 'implicit', bc)!],
            ([v, n]) => {
              const seq = sequenceArg(v);
              state.checkWritable('setval()');
              seq.next = Number(n);
              seq.called = true;
              state.sequenceAdvanced(seq);
              return BigInt(n as bigint);
            },
          );
        case 'current_setting':
          return call(name, T.text, textArgs(args.slice(0, 1), bc, loc), ([n]) =>
            state.getSetting(String(n)),
          );
        case 'set_config':
          return call(name, T.text, textArgs(args.slice(0, 2), bc, loc), ([n, v]) => {
            state.setSetting(String(n), String(v));
            return state.getSetting(String(n));
          });
        case 'pg_sleep': {
          const secs = tryCoerce(args[0], T.float8, 'implicit', bc);
          if (!secs) return undefined;
          return call(name, T.void, [secs], ([s], env) => {
            env.deferSleep(Math.max(0, Number(s) * 1000));
            return '';
          });
        }
        case 'version':
          return call(
            name,
            T.text,
            [],
            () => `PostgreSQL ${state.serverVersion} (Quiver 0.1.0) on x86_64-pc-linux-gnu, 64-bit`,
          );
        case 'current_database':
          return call(name, T.name, [], () => state.databaseName);
        case 'current_schema':
          return call(name, T.name, [], () => currentSchema(state, bc));
        case 'current_schemas':
          return call(name, { base: 'name', typmod: -1, isArray: true }, [], () =>
            ArrayValue.of(['pg_catalog', ...bc.searchPath.filter((s) => bc.database.schemas.has(s))]),
          );
        case 'pg_is_in_recovery':
          return call(name, T.bool, [], () => state.getSetting('in_hot_standby') === 'on');
        case 'pg_backend_pid':
          return call(name, T.int4, [], () => state.processId);
        case 'pg_cancel_backend': {
          const pid = args.length === 1 ? tryCoerce(args[0], T.int4, 'implicit', bc) : null;
          if (!pid) return undefined;
          return call(name, T.bool, [pid], ([p]) => state.cancelBackend(Number(p)));
        }
        case 'current_user':
        case 'session_user':
          return call(name, T.name, [], () => state.user);
        default:
          return resolveCatalogFunction(name, args, bc) ?? resolveSerialSequence(name, args, bc);
      }
    },
    sqlValue(name: SqlValueExpr['name'], bc) {
      switch (name) {
        case 'current_timestamp':
          return call(name, T.timestamptz, [], (_a, env) => env.ctx.transactionTimestamp);
        case 'localtimestamp':
          return call(name, T.timestamp, [], (_a, env) => env.ctx.transactionTimestamp);
        case 'current_date':
          return call(name, T.date, [], (_a, env) =>
            Math.floor(env.ctx.transactionTimestamp / 86_400_000_000),
          );
        case 'current_time':
        case 'localtime':
          return call(name, T.time, [], (_a, env) => env.ctx.transactionTimestamp % 86_400_000_000);
        case 'current_catalog':
          return call(name, T.name, [], () => state.databaseName);
        case 'current_schema':
          return call(name, T.name, [], () => currentSchema(state, bc));
        default:
          return call(name, T.name, [], () => state.user);
      }
    },
    subscript(array, subscripts, elementType) {
      return {
        kind: 'SessionCall',
        type: elementType,
        name: 'subscript',
        args: [array, ...subscripts],
        impl: ([arr, ...subs]) => {
          if (arr === null || subs.some((s) => s === null)) return null;
          const a = arr as ArrayValue;
          if (subs.length !== a.dims.length) return null;
          let offset = 0;
          for (let d = 0; d < subs.length; d++) {
            const i = Number(subs[d]) - a.lbounds[d];
            if (i < 0 || i >= a.dims[d]) return null;
            offset = offset * a.dims[d] + i;
          }
          return a.elements[offset] ?? null;
        },
      };
    },
  };
}

function currentSchema(state: SessionState, bc: BindContext): Value {
  for (const s of bc.searchPath) {
    const name = s === '$user' ? state.user : s;
    if (bc.database.schemas.has(name)) return name;
  }
  return null;
}
