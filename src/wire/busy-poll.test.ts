import { afterEach, describe, expect, test } from 'vitest';
import { isPolling, keepPolling, setBusyPoll } from './busy-poll.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('busy-polling', () => {
  afterEach(() => setBusyPoll(0));

  test('off by default and with 0: activity keeps nothing turning', () => {
    keepPolling();
    expect(isPolling()).toBe(false);
  });

  test('keeps the loop turning for the window after the last activity, then stops', async () => {
    setBusyPoll(500_000);
    keepPolling();
    expect(isPolling()).toBe(true);
    // Timers and I/O still run while it polls: it only keeps the loop from sleeping.
    await sleep(5);
    keepPolling();
    await sleep(10);
    expect(isPolling()).toBe(true);
    await sleep(1_000);
    expect(isPolling()).toBe(false);
  });
});
