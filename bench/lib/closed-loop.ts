/**
 * Throughput as a closed loop: each connection sends its next query as soon as the last
 * answer arrives, for a fixed time. Connections start at different places in the query
 * list so they are not all asking the same thing at once.
 */
export interface ClosedLoopResult {
  readonly connections: number;
  readonly queries: number;
  readonly seconds: number;
  readonly qps: number;
  readonly latenciesMs: number[];
}

export async function closedLoop(
  connections: number,
  seconds: number,
  queryCount: number,
  run: (connection: number, query: number) => Promise<unknown>,
): Promise<ClosedLoopResult> {
  const latenciesMs: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (connection: number) => {
    let q = Math.floor((connection * queryCount) / connections);
    while (performance.now() < deadline) {
      const t = performance.now();
      await run(connection, q % queryCount);
      latenciesMs.push(performance.now() - t);
      q++;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, c) => worker(c)));
  const elapsed = (performance.now() - started) / 1000;
  return {
    connections,
    queries: latenciesMs.length,
    seconds: elapsed,
    qps: latenciesMs.length / elapsed,
    latenciesMs,
  };
}
