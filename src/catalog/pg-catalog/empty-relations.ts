/**
 * Catalogs of features Quiver does not have (inheritance and partitioning, triggers, row
 * security policies, rules, extended statistics, publications and subscriptions, foreign
 * tables, event triggers, large objects, default privileges, per-role settings, encoding
 * conversions, text search): always
 * empty, but with PostgreSQL 15's columns so the catalog queries clients send bind and run.
 */
import { relation } from './relation.ts';

const none = () => [];

export const emptyRelations = [
  relation('pg_inherits', 2611, 'inhrelid oid, inhparent oid, inhseqno int4, inhdetachpending bool', none),
  relation(
    'pg_partitioned_table',
    3350,
    'partrelid oid, partstrat char, partnatts int2, partdefid oid, partattrs int2vector, ' +
      'partclass oidvector, partcollation oidvector, partexprs pg_node_tree',
    none,
  ),
  relation(
    'pg_trigger',
    2620,
    'oid oid, tgrelid oid, tgparentid oid, tgname name, tgfoid oid, tgtype int2, tgenabled char, ' +
      'tgisinternal bool, tgconstrrelid oid, tgconstrindid oid, tgconstraint oid, tgdeferrable bool, ' +
      'tginitdeferred bool, tgnargs int2, tgattr int2vector, tgargs bytea, tgqual pg_node_tree, ' +
      'tgoldtable name, tgnewtable name',
    none,
  ),
  relation(
    'pg_policy',
    3256,
    'oid oid, polname name, polrelid oid, polcmd char, polpermissive bool, polroles oid[], ' +
      'polqual pg_node_tree, polwithcheck pg_node_tree',
    none,
  ),
  relation(
    'pg_rewrite',
    2618,
    'oid oid, rulename name, ev_class oid, ev_type char, ev_enabled char, is_instead bool, ' +
      'ev_qual pg_node_tree, ev_action pg_node_tree',
    none,
  ),
  relation(
    'pg_statistic_ext',
    3381,
    'oid oid, stxrelid oid, stxname name, stxnamespace oid, stxowner oid, stxstattarget int4, ' +
      'stxkeys int2vector, stxkind char[], stxexprs pg_node_tree',
    none,
  ),
  relation(
    'pg_publication',
    6104,
    'oid oid, pubname name, pubowner oid, puballtables bool, pubinsert bool, pubupdate bool, ' +
      'pubdelete bool, pubtruncate bool, pubviaroot bool',
    none,
  ),
  relation('pg_publication_namespace', 6237, 'oid oid, pnpubid oid, pnnspid oid', none),
  relation(
    'pg_publication_rel',
    6106,
    'oid oid, prpubid oid, prrelid oid, prqual pg_node_tree, prattrs int2vector',
    none,
  ),
  relation(
    'pg_policies',
    12018,
    'schemaname name, tablename name, policyname name, permissive text, roles name[], cmd text, qual text, with_check text',
    none,
    {},
    'v',
  ),
  relation('pg_foreign_table', 3118, 'ftrelid oid, ftserver oid, ftoptions text[]', none),
  relation(
    'pg_foreign_server',
    1417,
    'oid oid, srvname name, srvowner oid, srvfdw oid, srvtype text, srvversion text, srvacl aclitem[], srvoptions text[]',
    none,
  ),
  relation(
    'pg_foreign_data_wrapper',
    2328,
    'oid oid, fdwname name, fdwowner oid, fdwhandler oid, fdwvalidator oid, fdwacl aclitem[], fdwoptions text[]',
    none,
  ),
  relation('pg_db_role_setting', 2964, 'setdatabase oid, setrole oid, setconfig text[]', none),
  relation('pg_largeobject_metadata', 2995, 'oid oid, lomowner oid, lomacl aclitem[]', none),
  relation(
    'pg_event_trigger',
    3466,
    'oid oid, evtname name, evtevent name, evtowner oid, evtfoid oid, evtenabled char, evttags text[]',
    none,
  ),
  relation(
    'pg_default_acl',
    826,
    'oid oid, defaclrole oid, defaclnamespace oid, defaclobjtype char, defaclacl aclitem[]',
    none,
  ),
  // subskiplsn is pg_lsn in PostgreSQL; Quiver has no pg_lsn type, so text.
  relation(
    'pg_subscription',
    6100,
    'oid oid, subdbid oid, subskiplsn text, subname name, subowner oid, subenabled bool, subbinary bool, ' +
      'substream bool, subtwophasestate char, subdisableonerr bool, subconninfo text, subslotname name, ' +
      'subsynccommit text, subpublications text[]',
    none,
  ),
  relation(
    'pg_conversion',
    2607,
    'oid oid, conname name, connamespace oid, conowner oid, conforencoding int4, contoencoding int4, ' +
      'conproc regproc, condefault bool',
    none,
  ),
  relation(
    'pg_ts_config',
    3602,
    'oid oid, cfgname name, cfgnamespace oid, cfgowner oid, cfgparser oid',
    none,
  ),
  relation('pg_ts_config_map', 3603, 'mapcfg oid, maptokentype int4, mapseqno int4, mapdict oid', none),
  relation(
    'pg_ts_dict',
    3600,
    'oid oid, dictname name, dictnamespace oid, dictowner oid, dicttemplate oid, dictinitoption text',
    none,
  ),
  relation(
    'pg_ts_parser',
    3601,
    'oid oid, prsname name, prsnamespace oid, prsstart regproc, prstoken regproc, prsend regproc, ' +
      'prsheadline regproc, prslextype regproc',
    none,
  ),
  relation(
    'pg_ts_template',
    3764,
    'oid oid, tmplname name, tmplnamespace oid, tmplinit regproc, tmpllexize regproc',
    none,
  ),
];
