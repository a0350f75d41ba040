/**
 * The process-wide catalogs of types, casts, operators, functions and aggregates.
 * Modules in src/types register their definitions at import time (see src/types/index.ts);
 * src/types/resolve.ts picks overloads; src/catalog exposes them as pg_type/pg_proc/….
 */
import type { AggregateDef, CastDef, FunctionDef, OperatorDef, TypeInfo } from './registry-types.ts';
import type { BaseTypeName, SqlType } from './type.ts';

const typesByName = new Map<BaseTypeName, TypeInfo>();
const typesByOid = new Map<number, TypeInfo>();
const arrayElementByOid = new Map<number, TypeInfo>();
const casts = new Map<string, CastDef>();
const functions = new Map<string, FunctionDef[]>();
const operators = new Map<string, OperatorDef[]>();
const aggregates = new Map<string, AggregateDef[]>();

export function registerType(info: TypeInfo): void {
  typesByName.set(info.name, info);
  typesByOid.set(info.oid, info);
  if (info.arrayOid) arrayElementByOid.set(info.arrayOid, info);
}

export function typeInfo(name: BaseTypeName): TypeInfo {
  const info = typesByName.get(name);
  if (!info) throw new Error(`type ${name} is not registered`);
  return info;
}

export function findTypeInfo(name: BaseTypeName): TypeInfo | undefined {
  return typesByName.get(name);
}

/** Looks up a type by OID; `array` is true when the OID is the array type of `info`. */
export function typeByOid(oid: number): { info: TypeInfo; array: boolean } | undefined {
  const info = typesByOid.get(oid);
  if (info) return { info, array: false };
  const elem = arrayElementByOid.get(oid);
  return elem ? { info: elem, array: true } : undefined;
}

export function allTypes(): TypeInfo[] {
  return [...typesByName.values()];
}

export function registerCast(def: CastDef): void {
  casts.set(`${def.from}->${def.to}`, def);
}

export function findCast(from: BaseTypeName, to: BaseTypeName): CastDef | undefined {
  return casts.get(`${from}->${to}`);
}

/** Casts between an array type and a scalar type (int4[] → vector, vector → real[]). */
const arrayCasts = new Map<string, CastDef>();

export function registerArrayCast(def: CastDef, fromIsArray: boolean, toIsArray: boolean): void {
  arrayCasts.set(`${def.from}${fromIsArray ? '[]' : ''}->${def.to}${toIsArray ? '[]' : ''}`, def);
}

export function findArrayCast(from: SqlType, to: SqlType): CastDef | undefined {
  return arrayCasts.get(`${from.base}${from.isArray ? '[]' : ''}->${to.base}${to.isArray ? '[]' : ''}`);
}

export function allCasts(): CastDef[] {
  return [...casts.values()];
}

function push<D>(map: Map<string, D[]>, key: string, def: D): void {
  const list = map.get(key);
  if (list) list.push(def);
  else map.set(key, [def]);
}

export function registerFunction(def: FunctionDef): void {
  push(functions, def.name, def);
}

export function functionsNamed(name: string): readonly FunctionDef[] {
  return functions.get(name) ?? [];
}

export function allFunctions(): FunctionDef[] {
  return [...functions.values()].flat();
}

export function registerOperator(def: OperatorDef): void {
  push(operators, def.name, def);
}

export function operatorsNamed(name: string): readonly OperatorDef[] {
  return operators.get(name) ?? [];
}

export function allOperators(): OperatorDef[] {
  return [...operators.values()].flat();
}

export function registerAggregate(def: AggregateDef): void {
  push(aggregates, def.name, def);
}

export function aggregatesNamed(name: string): readonly AggregateDef[] {
  return aggregates.get(name) ?? [];
}

export function allAggregates(): AggregateDef[] {
  return [...aggregates.values()].flat();
}
