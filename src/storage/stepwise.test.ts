import { describe, expect, it } from 'vitest';
import { runAtOnce, runInSlices, type Steps } from './stepwise.ts';

/** Twenty steps of 6 ms of busy CPU each, then the answer. */
function* busySteps(): Steps<number> {
  for (let i = 0; i < 20; i++) {
    const until = performance.now() + 6;
    while (performance.now() < until) {}
    yield;
  }
  return 42;
}

/** How often a 0 ms interval fired while `work` ran. */
async function ticksDuring<T>(work: () => Promise<T> | T): Promise<{ value: T; ticks: number }> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    return { value: await work(), ticks };
  } finally {
    clearInterval(timer);
  }
}

describe('stepwise work', () => {
  it('runAtOnce runs every step without letting anything else in', async () => {
    expect(await ticksDuring(() => runAtOnce(busySteps()))).toEqual({ value: 42, ticks: 0 });
  });

  it('runInSlices lets timers run between slices of about 20 ms', async () => {
    const { value, ticks } = await ticksDuring(() => runInSlices(busySteps()));
    expect(value).toBe(42);
    // 120 ms of steps in slices of 24 ms: five setImmediate yields; timers run at every
    // other one at least (a yield from the check phase passes the next loop's timers).
    expect(ticks).toBeGreaterThanOrEqual(2);
  });

  it('a step that throws rejects the run', async () => {
    function* failing(): Steps<void> {
      yield;
      throw new Error('bad input');
    }
    await expect(runInSlices(failing())).rejects.toThrow('bad input');
  });
});
