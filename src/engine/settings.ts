/**
 * Session settings, declared once: SET, SHOW, RESET, pg_settings and ParameterStatus are all
 * derived from this table (DESIGN §2). Validation messages follow PostgreSQL's guc.c and
 * pgvector's GUC definitions.
 */
import { SqlError, SqlState } from '../errors/sql-error.ts';

export type SettingType = 'bool' | 'int' | 'real' | 'string' | 'enum' | 'memory' | 'duration';

export interface SettingDef {
  /** Canonical name as SHOW prints it (e.g. 'DateStyle'). */
  readonly name: string;
  readonly type: SettingType;
  /** Default in canonical text form. */
  readonly default: string;
  readonly doc: string;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
  /** Reported to the client with ParameterStatus (GUC_REPORT). */
  readonly report?: boolean;
  /** Cannot be changed by SET. */
  readonly readOnly?: boolean;
  readonly category?: string;
}

const INT_MAX = 2147483647;

export const SETTINGS: readonly SettingDef[] = [
  {
    name: 'server_version',
    type: 'string',
    default: '16.4',
    doc: 'PostgreSQL version Quiver reports.',
    report: true,
    readOnly: true,
  },
  {
    name: 'server_version_num',
    type: 'int',
    default: '160004',
    doc: 'Numeric server version.',
    readOnly: true,
  },
  {
    name: 'server_encoding',
    type: 'string',
    default: 'UTF8',
    doc: 'Server character set.',
    report: true,
    readOnly: true,
  },
  {
    name: 'client_encoding',
    type: 'string',
    default: 'UTF8',
    doc: 'Client character set (only UTF8).',
    report: true,
  },
  { name: 'DateStyle', type: 'string', default: 'ISO, MDY', doc: 'Date display format.', report: true },
  {
    name: 'IntervalStyle',
    type: 'enum',
    default: 'postgres',
    values: ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'],
    doc: 'Interval display format.',
    report: true,
  },
  {
    name: 'TimeZone',
    type: 'string',
    default: 'UTC',
    doc: 'Time zone for timestamptz display.',
    report: true,
  },
  {
    name: 'integer_datetimes',
    type: 'bool',
    default: 'on',
    doc: 'Datetimes are 64-bit integers.',
    report: true,
    readOnly: true,
  },
  {
    name: 'standard_conforming_strings',
    type: 'bool',
    default: 'on',
    doc: "'...' strings treat backslashes literally.",
    report: true,
  },
  { name: 'application_name', type: 'string', default: '', doc: 'Client application name.', report: true },
  {
    name: 'is_superuser',
    type: 'bool',
    default: 'on',
    doc: 'Whether the session user is a superuser.',
    report: true,
    readOnly: true,
  },
  {
    name: 'session_authorization',
    type: 'string',
    default: 'quiver',
    doc: 'Session user name.',
    report: true,
    readOnly: true,
  },
  {
    name: 'search_path',
    type: 'string',
    default: '"$user", public',
    doc: 'Schema search order for unqualified names.',
  },
  {
    name: 'statement_timeout',
    type: 'duration',
    default: '0',
    min: 0,
    max: INT_MAX,
    doc: 'Cancels statements running longer (ms; 0 = off).',
  },
  {
    name: 'idle_in_transaction_session_timeout',
    type: 'duration',
    default: '0',
    min: 0,
    max: INT_MAX,
    doc: 'Terminates sessions idle inside a transaction longer (ms; 0 = off).',
  },
  {
    name: 'lock_timeout',
    type: 'duration',
    default: '0',
    min: 0,
    max: INT_MAX,
    doc: 'Accepted for compatibility.',
  },
  {
    name: 'extra_float_digits',
    type: 'int',
    default: '1',
    min: -15,
    max: 3,
    doc: 'Float output precision (1 = shortest exact).',
  },
  {
    name: 'session_replication_role',
    type: 'enum',
    default: 'origin',
    values: ['origin', 'replica', 'local'],
    doc: 'replica: writes check no foreign keys and run no referential actions, as PostgreSQL skips its triggers (bulk loads).',
  },
  {
    name: 'client_min_messages',
    type: 'enum',
    default: 'notice',
    values: ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'],
    doc: 'Lowest message level sent to the client.',
  },
  {
    name: 'enable_seqscan',
    type: 'bool',
    default: 'on',
    doc: 'Off makes the planner prefer index scans, as in PostgreSQL.',
  },
  { name: 'enable_indexscan', type: 'bool', default: 'on', doc: 'Off disables vector index scans.' },
  { name: 'enable_hashjoin', type: 'bool', default: 'on', doc: 'Off makes equi-joins use nested loops.' },
  { name: 'enable_nestloop', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  { name: 'enable_mergejoin', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  { name: 'enable_sort', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  { name: 'enable_hashagg', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  { name: 'enable_bitmapscan', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  { name: 'enable_indexonlyscan', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  { name: 'enable_material', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  {
    name: 'random_page_cost',
    type: 'real',
    default: '4',
    min: 0,
    max: 1.79e308,
    doc: 'Accepted for compatibility.',
  },
  {
    name: 'seq_page_cost',
    type: 'real',
    default: '1',
    min: 0,
    max: 1.79e308,
    doc: 'Accepted for compatibility.',
  },
  {
    name: 'effective_cache_size',
    type: 'memory',
    default: '524288',
    min: 1,
    max: 2147483647,
    doc: 'Accepted for compatibility (kB).',
  },
  {
    name: 'effective_io_concurrency',
    type: 'int',
    default: '1',
    min: 0,
    max: 1000,
    doc: 'Accepted for compatibility.',
  },
  {
    name: 'work_mem',
    type: 'memory',
    default: '4096',
    min: 64,
    max: INT_MAX,
    doc: 'Accepted for compatibility (kB).',
  },
  {
    name: 'maintenance_work_mem',
    type: 'memory',
    default: '65536',
    min: 1024,
    max: INT_MAX,
    doc: 'Memory for index builds (kB).',
  },
  {
    name: 'max_parallel_maintenance_workers',
    type: 'int',
    default: '2',
    min: 0,
    max: 1024,
    doc: 'Accepted for compatibility.',
  },
  {
    name: 'max_parallel_workers_per_gather',
    type: 'int',
    default: '2',
    min: 0,
    max: 1024,
    doc: 'Accepted for compatibility.',
  },
  {
    name: 'default_transaction_isolation',
    type: 'enum',
    default: 'read committed',
    values: ['serializable', 'repeatable read', 'read committed', 'read uncommitted'],
    doc: 'Isolation level of new transactions.',
  },
  {
    name: 'transaction_isolation',
    type: 'enum',
    default: 'read committed',
    values: ['serializable', 'repeatable read', 'read committed', 'read uncommitted'],
    doc: 'Isolation level of the current transaction.',
  },
  {
    name: 'default_transaction_read_only',
    type: 'bool',
    default: 'off',
    doc: 'Whether new transactions are read only (writes fail with 25006, temporary tables excepted).',
  },
  {
    name: 'transaction_read_only',
    type: 'bool',
    default: 'off',
    doc: 'Whether the current transaction is read only (SET TRANSACTION READ ONLY).',
  },
  {
    name: 'max_connections',
    type: 'int',
    default: '100',
    doc: 'Maximum concurrent connections.',
    readOnly: true,
  },
  {
    name: 'max_identifier_length',
    type: 'int',
    default: '63',
    doc: 'Maximum identifier length.',
    readOnly: true,
  },
  {
    // pgjdbc's getIndexInfo reads it; PostgreSQL's INDEX_MAX_KEYS.
    name: 'max_index_keys',
    type: 'int',
    default: '32',
    doc: 'Shows the maximum number of index keys.',
    readOnly: true,
  },
  { name: 'lc_messages', type: 'string', default: 'C', doc: 'Message language (only C).' },
  { name: 'lc_monetary', type: 'string', default: 'C', doc: 'Accepted for compatibility.' },
  { name: 'lc_numeric', type: 'string', default: 'C', doc: 'Accepted for compatibility.' },
  { name: 'lc_time', type: 'string', default: 'C', doc: 'Accepted for compatibility.' },
  {
    name: 'bytea_output',
    type: 'enum',
    default: 'hex',
    values: ['hex', 'escape'],
    doc: 'bytea output format.',
  },
  { name: 'row_security', type: 'bool', default: 'on', doc: 'Accepted for compatibility.' },
  {
    name: 'synchronous_commit',
    type: 'enum',
    default: 'on',
    values: ['local', 'remote_write', 'remote_apply', 'on', 'off'],
    doc: 'Accepted for compatibility.',
  },
  { name: 'jit', type: 'bool', default: 'off', doc: 'Accepted for compatibility.' },
  {
    // DESIGN's read consistency levels. They matter on a read replica (a standby's
    // connection that asked for one, src/cluster/engine-replica.ts); the leader always
    // reads its latest commit.
    name: 'quiver.consistency',
    type: 'enum',
    default: 'strong',
    values: ['strong', 'bounded', 'session', 'eventual'],
    doc: 'How fresh reads on a replica must be: strong waits for the latest commit, bounded for one at most quiver.bounded_staleness old, session and eventual read what the replica has.',
  },
  {
    name: 'quiver.bounded_staleness',
    type: 'duration',
    default: '1000',
    min: 0,
    max: INT_MAX,
    doc: 'How old a commit a bounded read on a replica may miss (ms).',
  },
  {
    // PostgreSQL 14+ reports it; libpq's target_session_attrs reads it.
    name: 'in_hot_standby',
    type: 'bool',
    default: 'off',
    doc: 'Whether this session reads a replica (read only).',
    report: true,
    readOnly: true,
  },
  {
    name: 'default_text_search_config',
    type: 'string',
    default: 'pg_catalog.english',
    doc: 'Text search configuration of to_tsvector(text), to_tsquery(text) and the text @@ operators.',
  },
  {
    name: 'quiver.copy_spill_rows',
    type: 'int',
    default: '50000',
    min: 1,
    max: 100000000,
    doc: 'Rows a COPY FROM keeps in memory before writing them to a segment ahead of COMMIT.',
  },
  {
    name: 'quiver.copy_worker_bytes',
    type: 'int',
    default: '1048576',
    min: 0,
    max: INT_MAX,
    doc: 'COPY FROM input size from which its rows are parsed in a worker thread (bytes).',
  },
  {
    name: 'hnsw.ef_search',
    type: 'int',
    default: '40',
    min: 1,
    max: 1000,
    doc: 'Size of the dynamic candidate list for HNSW search.',
  },
  {
    name: 'hnsw.iterative_scan',
    type: 'enum',
    default: 'off',
    values: ['off', 'relaxed_order', 'strict_order'],
    doc: 'Mode for iterative HNSW scans.',
  },
  {
    name: 'hnsw.max_scan_tuples',
    type: 'int',
    default: '20000',
    min: 1,
    max: INT_MAX,
    doc: 'Max tuples visited by an iterative HNSW scan.',
  },
  {
    name: 'hnsw.scan_mem_multiplier',
    type: 'real',
    default: '1',
    min: 1,
    max: 1000,
    doc: 'Multiple of work_mem for iterative HNSW scans.',
  },
  {
    name: 'ivfflat.probes',
    type: 'int',
    default: '1',
    min: 1,
    max: 32768,
    doc: 'Number of IVFFlat lists probed.',
  },
  {
    name: 'ivfflat.iterative_scan',
    type: 'enum',
    default: 'off',
    values: ['off', 'relaxed_order'],
    doc: 'Mode for iterative IVFFlat scans.',
  },
  {
    name: 'ivfflat.max_probes',
    type: 'int',
    default: '32768',
    min: 1,
    max: 32768,
    doc: 'Max lists probed by an iterative IVFFlat scan.',
  },
];

const byLowerName = new Map(SETTINGS.map((s) => [s.name.toLowerCase(), s]));

export function findSetting(name: string): SettingDef | undefined {
  return byLowerName.get(name.toLowerCase());
}

function invalid(def: SettingDef, value: string): SqlError {
  return new SqlError(
    SqlState.InvalidParameterValue,
    `invalid value for parameter "${def.name}": "${value}"`,
  );
}

function checkRange(def: SettingDef, n: number, shown: string): void {
  if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
    throw new SqlError(
      SqlState.InvalidParameterValue,
      `${shown} is outside the valid range for parameter "${def.name}" (${def.min} .. ${def.max})`,
    );
  }
}

const MEMORY_UNITS: Record<string, number> = { kb: 1, mb: 1024, gb: 1024 * 1024, tb: 1024 * 1024 * 1024 };
const TIME_UNITS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Validates a SET value and returns its canonical stored text. */
export function normalizeSetting(def: SettingDef, raw: string): string {
  const value = raw.trim();
  switch (def.type) {
    case 'bool': {
      const v = value.toLowerCase();
      if (['on', 'true', 'yes', '1', 't', 'y'].includes(v)) return 'on';
      if (['off', 'false', 'no', '0', 'f', 'n'].includes(v)) return 'off';
      throw new SqlError(SqlState.InvalidParameterValue, `parameter "${def.name}" requires a Boolean value`);
    }
    case 'int': {
      if (!/^[-+]?\d+$/.test(value)) throw invalid(def, raw);
      const n = Number(value);
      checkRange(def, n, String(n));
      return String(n);
    }
    case 'real': {
      const n = Number(value);
      if (value === '' || Number.isNaN(n)) throw invalid(def, raw);
      checkRange(def, n, String(n));
      return String(n);
    }
    case 'memory':
    case 'duration': {
      const m = /^([-+]?\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(value);
      if (!m) throw invalid(def, raw);
      const units = def.type === 'memory' ? MEMORY_UNITS : TIME_UNITS;
      const unit = m[2].toLowerCase();
      const factor = unit === '' ? 1 : units[unit];
      if (factor === undefined) {
        throw new SqlError(
          SqlState.InvalidParameterValue,
          `invalid value for parameter "${def.name}": "${raw}"`,
          {
            hint:
              def.type === 'memory'
                ? 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".'
                : 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
          },
        );
      }
      const n = Math.round(Number(m[1]) * factor);
      checkRange(def, n, String(n));
      return String(n);
    }
    case 'enum': {
      const v = value.toLowerCase();
      if (!def.values!.includes(v)) {
        throw new SqlError(
          SqlState.InvalidParameterValue,
          `invalid value for parameter "${def.name}": "${raw}"`,
          {
            hint: `Available values: ${def.values!.join(', ')}.`,
          },
        );
      }
      return v;
    }
    case 'string':
      return value;
  }
}

/** SHOW's rendering of a stored value (memory and durations with units, like PostgreSQL). */
export function displaySetting(def: SettingDef, stored: string): string {
  if (def.type === 'memory') {
    const kb = Number(stored);
    if (kb % (1024 * 1024) === 0 && kb !== 0) return `${kb / (1024 * 1024)}GB`;
    if (kb % 1024 === 0 && kb !== 0) return `${kb / 1024}MB`;
    return `${kb}kB`;
  }
  if (def.type === 'duration') {
    const ms = Number(stored);
    if (ms === 0) return '0';
    if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
    if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
    if (ms % 60_000 === 0) return `${ms / 60_000}min`;
    if (ms % 1000 === 0) return `${ms / 1000}s`;
    return `${ms}ms`;
  }
  return stored;
}
