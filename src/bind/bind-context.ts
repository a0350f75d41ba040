/**
 * What the binder needs from the session: the catalog and current database, the search
 * path, parameter types (inferred while binding), WITH queries in scope, and access to
 * settings that change planning (enable_seqscan).
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { Database } from '../catalog/catalog-types.ts';
import type { SystemContext } from '../catalog/system-relations.ts';
import type { CteScanNode } from '../plan/plan-nodes.ts';
import type { ObjectNames } from '../types/registry-types.ts';
import type { SqlType, Value } from '../types/type.ts';
import type { SessionFunctions } from './session-functions.ts';

/** A WITH query in scope; `workTable` is set while binding its own recursive term. */
export type CteEntry = CteScanNode['cte'] & {
  readonly columns: CteScanNode['columns'];
  readonly workTable?: object;
};

export interface BindContext {
  readonly catalog: Catalog;
  readonly database: Database;
  readonly searchPath: readonly string[];
  /** Parameter types by 0-based index; `unknown` entries are inferred from use. */
  readonly paramTypes: SqlType[];
  /**
   * Parameter values known before planning (EXPLAIN EXECUTE): the plan takes them as
   * constants, as PostgreSQL's custom plans do. Absent: parameters are read when it runs.
   */
  readonly paramValues?: readonly Value[];
  /** WITH queries visible at this point, innermost last. */
  readonly ctes: Map<string, CteEntry>[];
  readonly sessionFunctions: SessionFunctions;
  setting(name: string): string;
  /** What pg_catalog relations show about this session. */
  readonly system: SystemContext;
  /** Catalog lookups for reg* literals ('items'::regclass), folded at bind time. */
  readonly objectNames?: ObjectNames;
}
