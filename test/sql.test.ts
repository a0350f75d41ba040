/** Runs every sql-tests/*.slt file against a standalone server. See sql-tests/README.md. */
import { withServer } from './helpers/server.ts';
import { describeSqlTests } from './slt/suite.ts';

describeSqlTests('sql-tests', withServer);
