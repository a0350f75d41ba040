/**
 * One session's setting values over the declared defaults (settings.ts). Unknown names
 * with a dot are PostgreSQL "placeholder" variables (SET myapp.x = 1 works; SHOW of an unset
 * one fails); other unknown names are 42704.
 */

import type { SettingRow } from '../catalog/pg-catalog/relation.ts';
import { SqlError, SqlState } from '../errors/sql-error.ts';
import type { ResultSink } from '../wire/session.ts';
import {
  displaySetting,
  findSetting,
  normalizeSetting,
  SETTINGS,
  type SettingDef,
  type SettingType,
} from './settings.ts';

/** pg_settings' unit of the settings stored as numbers: memory in kB, durations in ms. */
const UNITS: Partial<Record<SettingType, string>> = { memory: 'kB', duration: 'ms' };

/** pg_settings.vartype per kind of setting. */
const VARTYPES: Record<SettingType, string> = {
  bool: 'bool',
  int: 'integer',
  real: 'real',
  string: 'string',
  enum: 'enum',
  memory: 'integer',
  duration: 'integer',
};

export class SessionSettings {
  private readonly values = new Map<string, string>();
  private readonly placeholders = new Map<string, string>();
  /** Bumped by every change: plans compiled under other settings are stale. */
  generation = 0;
  /** Values before the first SET in the open transaction block (restored on ROLLBACK). */
  private txnSaved: Map<string, string> | null = null;
  /** Values before SET LOCAL (restored when the block ends either way). */
  private localSaved: Map<string, string> | null = null;
  /** Settings whose value is state kept elsewhere (transaction_isolation: the transaction's). */
  readonly computed = new Map<string, () => string>();

  beginTransaction(): void {
    this.txnSaved = new Map();
    this.localSaved = new Map();
  }

  /** Ends a transaction block: SET LOCAL values always revert, plain SETs only on rollback. */
  endTransaction(commit: boolean, sink: ResultSink | null): void {
    const restore = new Map([...(commit ? [] : (this.txnSaved ?? [])), ...(this.localSaved ?? [])]);
    this.txnSaved = null;
    this.localSaved = null;
    for (const [name, value] of restore) {
      if (this.values.get(name) === value) continue;
      this.values.set(name, value);
      this.generation++;
      if (findSetting(name)?.report) sink?.parameterStatus(name, value);
    }
  }

  private remember(name: string, local: boolean): void {
    const old = this.values.get(name);
    if (old === undefined) return;
    if (this.txnSaved && !this.txnSaved.has(name)) this.txnSaved.set(name, old);
    if (local && this.localSaved && !this.localSaved.has(name)) this.localSaved.set(name, old);
  }

  constructor(user: string, serverVersion: string) {
    for (const s of SETTINGS) this.values.set(s.name, s.default);
    this.values.set('session_authorization', user);
    this.values.set('server_version', serverVersion);
  }

  applyStartup(params: Readonly<Record<string, string>>): void {
    for (const [name, value] of Object.entries(params)) {
      if (name === 'user' || name === 'database' || name === 'options' || name === 'replication') continue;
      const def = findSetting(name);
      if (def && !def.readOnly) {
        try {
          this.values.set(def.name, normalizeSetting(def, value));
        } catch {
          // PostgreSQL rejects bad startup settings with FATAL; tolerate and keep the default.
        }
      }
    }
    for (const [name, value] of commandLineSettings(params.options ?? '')) {
      const def = findSetting(name);
      if (def && !def.readOnly) this.values.set(def.name, normalizeSetting(def, value));
    }
  }

  /** Raw stored value (no unit formatting); unknown names throw. */
  get(name: string): string {
    const def = findSetting(name);
    if (def) return this.computed.get(def.name)?.() ?? this.values.get(def.name)!;
    const p = this.placeholders.get(name.toLowerCase());
    if (p !== undefined) return p;
    throw new SqlError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
  }

  /** SHOW's rendering. */
  show(name: string): string {
    const def = findSetting(name);
    return def ? displaySetting(def, this.get(def.name)) : this.get(name);
  }

  canonicalName(name: string): string {
    return findSetting(name)?.name ?? name.toLowerCase();
  }

  /** A value as SET would store it (checked against the setting's type and values). */
  normalize(name: string, value: string): string {
    const def = findSetting(name);
    if (!def) throw new SqlError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
    return normalizeSetting(def, value);
  }

  set(name: string, value: string, sink: ResultSink | null, local = false): void {
    const def = findSetting(name);
    if (!def) {
      if (!name.includes('.')) {
        throw new SqlError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
      }
      this.placeholders.set(name.toLowerCase(), value);
      return;
    }
    if (def.readOnly) {
      throw new SqlError(SqlState.CantChangeRuntimeParam, `parameter "${def.name}" cannot be changed`);
    }
    const normalized = normalizeSetting(def, value);
    this.remember(def.name, local);
    this.values.set(def.name, normalized);
    this.generation++;
    if (def.report) sink?.parameterStatus(def.name, normalized);
  }

  reset(name: string, sink: ResultSink | null): void {
    const def = findSetting(name);
    if (!def) {
      this.placeholders.delete(name.toLowerCase());
      return;
    }
    this.remember(def.name, false);
    this.values.set(def.name, def.default);
    this.generation++;
    if (def.report) sink?.parameterStatus(def.name, def.default);
  }

  resetAll(sink: ResultSink | null): void {
    for (const s of SETTINGS) if (!s.readOnly) this.reset(s.name, sink);
  }

  /**
   * The settings this session changed from their defaults (by SET, its startup packet or a
   * placeholder variable), without the read-only and computed ones: what a write-forwarding
   * link gives the leader's session.
   */
  changed(): Map<string, string> {
    const out = new Map<string, string>();
    for (const s of SETTINGS) {
      if (s.readOnly || this.computed.has(s.name)) continue;
      const value = this.values.get(s.name)!;
      if (value !== s.default) out.set(s.name, value);
    }
    for (const [name, value] of this.placeholders) out.set(name, value);
    return out;
  }

  /** Values announced with ParameterStatus at startup. */
  reported(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of SETTINGS) if (s.report) out[s.name] = this.values.get(s.name)!;
    return out;
  }

  /** pg_settings' rows: numbers with units as PostgreSQL shows them, the rest as SHOW does. */
  all(): SettingRow[] {
    const shown = (s: SettingDef, stored: string) => (UNITS[s.type] ? stored : displaySetting(s, stored));
    return SETTINGS.map((s) => {
      const value = this.get(s.name);
      return {
        name: s.name,
        setting: shown(s, value),
        unit: UNITS[s.type] ?? null,
        category: s.category ?? '',
        doc: s.doc,
        context: s.readOnly ? 'internal' : 'user',
        vartype: VARTYPES[s.type],
        source: value === s.default ? 'default' : 'session',
        min: s.min === undefined ? null : String(s.min),
        max: s.max === undefined ? null : String(s.max),
        enumvals: s.type === 'enum' ? (s.values ?? null) : null,
        boot: shown(s, s.default),
      };
    });
  }
}

/** The `-c name=value` and `--name=value` pairs of a StartupMessage's options parameter. */
function commandLineSettings(options: string): [string, string][] {
  return [...options.matchAll(/(?:-c\s*|--)([\w.]+)=(\S+)/g)].map((m) => [m[1], m[2]]);
}

/**
 * The value a StartupMessage gives setting `name` (its own parameter, or in options; options
 * win, as they are applied last), lower-cased and trimmed; undefined when it gives none.
 */
export function startupSetting(params: ReadonlyMap<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  let value: string | undefined;
  for (const [key, v] of params) if (key.toLowerCase() === wanted) value = v;
  for (const [key, v] of commandLineSettings(params.get('options') ?? ''))
    if (key.toLowerCase() === wanted) value = v;
  return value?.trim().toLowerCase();
}
