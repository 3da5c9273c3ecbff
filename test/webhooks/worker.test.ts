import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { retryAt } from '../../src/notifications/outbox.ts';
import { OutboxWorker, type PassReport } from '../../src/notifications/worker.ts';

/*
 * The outbox loop with a pass that only counts (no database): when passes run, and that stop
 * waits for the pass in progress. The backoff arithmetic too.
 */

const logger = { error() {} };

/** Waits until `condition` holds (the machine may be busy), failing after two seconds. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(5);
  }
}
const workers: OutboxWorker<PassReport>[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers.length = 0;
});

function counting(claims: number[] = [], options: { passMs?: number } = {}) {
  let wake: () => void = () => {};
  const state = { passes: 0, running: 0, maxRunning: 0, wake: () => wake() };
  const worker = new OutboxWorker({
    name: 'test',
    batchSize: 10,
    logger,
    wakeOn: (listener) => {
      wake = listener;
      return () => {
        wake = () => {};
      };
    },
    pass: async () => {
      state.passes += 1;
      state.running += 1;
      state.maxRunning = Math.max(state.maxRunning, state.running);
      await sleep(options.passMs ?? 0);
      state.running -= 1;
      return { claimed: claims.shift() ?? 0 };
    },
  });
  workers.push(worker);
  return { worker, state };
}

describe('the outbox worker', () => {
  it('runs a pass at start, then waits for the poll interval or a wake-up', async () => {
    const { worker, state } = counting();
    worker.start(60_000);
    await until(() => state.passes === 1);
    await sleep(100);
    expect(state.passes).toBe(1);
    state.wake();
    await until(() => state.passes === 2);
    await sleep(100);
    expect(state.passes).toBe(2);
  });

  it('goes on at once while passes claim full batches', async () => {
    const { worker, state } = counting([10, 10, 3]);
    worker.start(60_000);
    await until(() => state.passes === 3);
    await sleep(100);
    expect(state.passes).toBe(3);
  });

  it('never overlaps passes: a wake-up during a pass brings one more pass after it', async () => {
    const { worker, state } = counting([], { passMs: 100 });
    worker.start(60_000);
    await until(() => state.running === 1);
    state.wake();
    state.wake();
    await until(() => state.passes === 2 && state.running === 0);
    await sleep(100);
    expect(state.passes).toBe(2);
    expect(state.maxRunning).toBe(1);
  });

  it('stops: waits for the running pass, then neither polls nor wakes', async () => {
    const { worker, state } = counting([], { passMs: 100 });
    worker.start(20);
    await until(() => state.running === 1);
    await worker.stop();
    expect(state.running).toBe(0);
    const passes = state.passes;
    state.wake();
    await sleep(100);
    expect(state.passes).toBe(passes);
  });

  it('keeps going after a pass throws', async () => {
    let passes = 0;
    const errors: unknown[] = [];
    const worker = new OutboxWorker({
      name: 'failing',
      batchSize: 10,
      logger: { error: (details: object) => errors.push(details) },
      pass: async () => {
        passes += 1;
        throw new Error('database down');
      },
    });
    workers.push(worker);
    worker.start(20);
    await until(() => passes > 2);
    expect(errors.length).toBe(passes);
  });
});

describe('retryAt', () => {
  const policy = { backoffMs: [10, 20], maxAttempts: 4, leaseMs: 1000 };
  it('waits the n-th delay after the n-th failure, repeats the last delay, and stops at maxAttempts', () => {
    expect([1, 2, 3, 4].map((attempt) => retryAt(policy, attempt, 1000))).toEqual([
      1010,
      1020,
      1020,
      undefined,
    ]);
  });
});
