import pg from 'pg';

const cfg = { host: '127.0.0.1', port: 55999, user: 'quiver', database: 'quiver' };
const w = new pg.Client(cfg);
const r = new pg.Client(cfg);
await w.connect();
await r.connect();
await w.query('DROP TABLE IF EXISTS st');
await w.query('CREATE TABLE st (id int PRIMARY KEY, tenant int, at int, v text)');
await w.query('CREATE INDEX ON st (tenant, at)');
await w.query('CREATE INDEX ON st (at)');
let id = 0,
  stop = false,
  mismatches = 0,
  checks = 0;
const writer = (async () => {
  while (!stop) {
    const rows = [];
    for (let i = 0; i < 50; i++) {
      id++;
      rows.push(`(${id}, ${id % 13}, ${(id * 7919) % 100000}, 'x')`);
    }
    await w.query(`INSERT INTO st VALUES ${rows.join(',')}`);
    if (id % 500 === 0)
      await w.query(`DELETE FROM st WHERE id IN (SELECT id FROM st WHERE tenant = ${id % 13} LIMIT 3)`);
    if (id % 1000 === 0) await w.query(`UPDATE st SET at = at + 1 WHERE id = ${id - 7}`);
    if (id % 5000 === 0) await w.query('CHECKPOINT');
  }
})();
const t0 = Date.now();
while (Date.now() - t0 < 10000) {
  const tenant = checks % 13;
  const lo = (checks * 3571) % 100000;
  await r.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  const qs = [
    [`SELECT id FROM st WHERE tenant = $1 ORDER BY at DESC LIMIT 20`, [tenant]],
    [`SELECT id FROM st WHERE at > $1 ORDER BY at LIMIT 15`, [lo]],
    [`SELECT count(*) FROM st WHERE tenant = $1 AND at >= $2`, [tenant, lo]],
    [`SELECT id FROM st WHERE at BETWEEN $1 AND $2 ORDER BY id`, [lo, lo + 3000]],
  ];
  for (const [text, values] of qs) {
    const a = await r.query({ text, values });
    await r.query('SET LOCAL enable_indexscan = off');
    const b = await r.query({ text, values });
    await r.query('SET LOCAL enable_indexscan = on');
    checks++;
    if (JSON.stringify(a.rows) !== JSON.stringify(b.rows)) {
      mismatches++;
      if (mismatches < 4) console.log('MISMATCH', text, values, a.rows.length, b.rows.length);
    }
  }
  await r.query('COMMIT');
}
stop = true;
await writer;
console.log({ rows: id, checks, mismatches });
await w.query('DROP TABLE st');
await w.end();
await r.end();
