/**
 * The sql-tests suite through a cluster: two `quiver serve --etcd … --s3 …` processes, the
 * client connected to the standby (its connections pass to the write leader), with the
 * same expected results as standalone.
 */
import { startStandbyTestServer } from '../helpers/quiver-node.ts';
import { describeSqlTests } from '../slt/suite.ts';

describeSqlTests('sql-tests through a cluster standby', startStandbyTestServer, 120_000);
