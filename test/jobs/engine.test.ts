import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { Engine, type EngineDeps, type EngineLogger, type EngineModule } from '../../src/jobs/engine.ts';
import { engineModules } from '../../src/jobs/modules.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from '../harness/database.ts';

/*
 * The engine's own contract, with modules written for the test: order, failure isolation, the
 * loop, and stop. What the real modules do is tested in test/incidents/auto-resolve.test.ts.
 */

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

type Logged = { level: 'info' | 'error'; details: Record<string, unknown>; message: string };

function capturingLogger(): EngineLogger & { logged: Logged[] } {
  const logged: Logged[] = [];
  return {
    logged,
    info: (details, message) => logged.push({ level: 'info', details: { ...details }, message }),
    error: (details, message) => logged.push({ level: 'error', details: { ...details }, message }),
  };
}

/** A module that records each call and answers with `result` (a number, or an error to throw). */
function recordingModule(name: string, result: (call: number) => number | Error = () => 0) {
  const calls: { deps: EngineDeps; nowMs: number }[] = [];
  const module: EngineModule = {
    name,
    async run(deps, nowMs) {
      calls.push({ deps, nowMs });
      const outcome = result(calls.length);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  return { module, calls };
}

/** A promise and the function that resolves it. */
function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const newEngine = (modules: EngineModule[], logger = capturingLogger()) =>
  new Engine({ db: database.db, clock: new ManualClock(Date.UTC(2026, 0, 5, 9)), modules, logger });

describe('Engine.runOnce', () => {
  it('runs every module in order with the database, the clock and the given moment, and reports', async () => {
    const order: string[] = [];
    const counting: EngineModule = {
      name: 'counts-accounts',
      async run({ db }, nowMs) {
        order.push(`counts-accounts@${nowMs}`);
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from accounts`.execute(db.q);
        return rows[0]!.n + 2;
      },
    };
    const second = recordingModule('second', () => 0);
    const logger = capturingLogger();
    const engine = newEngine([counting, second.module], logger);

    const report = await engine.runOnce(1_000_000);

    expect(report).toEqual({ changed: { 'counts-accounts': 2, second: 0 }, failed: [] });
    expect(order).toEqual(['counts-accounts@1000000']);
    expect(second.calls).toHaveLength(1);
    expect(second.calls[0]!.nowMs).toBe(1_000_000);
    expect(second.calls[0]!.deps.db).toBe(database.db);
    expect(second.calls[0]!.deps.clock.nowMs()).toBe(Date.UTC(2026, 0, 5, 9));
    // Only modules that changed something are logged: an idle cycle writes nothing.
    expect(logger.logged).toEqual([
      {
        level: 'info',
        details: { module: 'counts-accounts', changed: 2 },
        message: 'engine module changed items',
      },
    ]);
  });

  it('logs and reports a failing module, runs the others, and does not reject', async () => {
    const before = recordingModule('before', () => 1);
    const failing = recordingModule('failing', () => new Error('database unreachable'));
    const after = recordingModule('after', () => 3);
    const logger = capturingLogger();
    const engine = newEngine([before.module, failing.module, after.module], logger);

    const report = await engine.runOnce(5);

    expect(report).toEqual({ changed: { before: 1, after: 3 }, failed: ['failing'] });
    expect(after.calls).toHaveLength(1);
    const errors = logger.logged.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe('engine module failed');
    expect(errors[0]!.details.module).toBe('failing');
    expect((errors[0]!.details.err as Error).message).toBe('database unreachable');
  });

  it('lists the real modules, each named once', () => {
    const names = engineModules.map((module) => module.name);
    expect(names).toEqual([
      'heartbeat',
      'auto-resolve',
      'snooze-expiry',
      'escalation',
      'status-page-schedule',
      'statuspage-migration',
      'insight-upkeep',
      'audit-retention',
      'table-maintenance',
    ]);
  });
});

describe('Engine.start and stop', () => {
  it('runs a cycle at once, then one per interval, each at the clock time of the cycle', async () => {
    const clock = new ManualClock(1_000);
    const ticking = recordingModule('ticking', () => {
      clock.advance(1_000);
      return 0;
    });
    const engine = new Engine({
      db: database.db,
      clock,
      modules: [ticking.module],
      logger: capturingLogger(),
    });
    engine.start(10);
    await until(() => ticking.calls.length >= 3);
    await engine.stop();
    expect(ticking.calls.slice(0, 3).map((call) => call.nowMs)).toEqual([1_000, 2_000, 3_000]);
  });

  it('keeps looping after a module fails, and the other modules keep running', async () => {
    const flaky = recordingModule('flaky', (call) => (call === 1 ? new Error('first cycle fails') : 0));
    const steady = recordingModule('steady');
    const logger = capturingLogger();
    const engine = newEngine([flaky.module, steady.module], logger);
    engine.start(5);
    await until(() => flaky.calls.length >= 3);
    await engine.stop();
    expect(steady.calls.length).toBeGreaterThanOrEqual(2);
    expect(logger.logged.filter((entry) => entry.level === 'error')).toHaveLength(1);
  });

  it('never overlaps its own cycles, however long a cycle takes', async () => {
    let running = 0;
    let mostAtOnce = 0;
    let cycles = 0;
    const slow: EngineModule = {
      name: 'slow',
      async run() {
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        await sleep(20);
        running -= 1;
        cycles += 1;
        return 0;
      },
    };
    const engine = newEngine([slow]);
    engine.start(1);
    await until(() => cycles >= 4);
    await engine.stop();
    expect(mostAtOnce).toBe(1);
  });

  it('stop waits for the running cycle to finish, and no cycle starts afterwards', async () => {
    const entered = deferred();
    const release = deferred();
    let finished = 0;
    const blocking: EngineModule = {
      name: 'blocking',
      async run() {
        entered.resolve();
        await release.promise;
        finished += 1;
        return 1;
      },
    };
    const later = recordingModule('later');
    const engine = newEngine([blocking, later.module]);
    engine.start(1);
    await entered.promise;

    let stopped = false;
    const stopping = engine.stop().then(() => {
      stopped = true;
    });
    await sleep(30);
    expect(stopped).toBe(false);

    release.resolve();
    await stopping;
    // The cycle ran to its end (every module), and nothing ran after stop resolved.
    expect(finished).toBe(1);
    expect(later.calls).toHaveLength(1);
    await sleep(30);
    expect(finished).toBe(1);
    expect(later.calls).toHaveLength(1);
  });

  it('a start right after stop lets the cycle still running finish before the next begins', async () => {
    const entered = deferred();
    const release = deferred();
    let calls = 0;
    let running = 0;
    let mostAtOnce = 0;
    const firstBlocks: EngineModule = {
      name: 'first-blocks',
      async run() {
        calls += 1;
        running += 1;
        mostAtOnce = Math.max(mostAtOnce, running);
        if (calls === 1) {
          entered.resolve();
          await release.promise;
        }
        running -= 1;
        return 0;
      },
    };
    const engine = newEngine([firstBlocks]);
    engine.start(1);
    await entered.promise;
    const stopping = engine.stop();
    engine.start(1);
    await sleep(30);
    expect(calls).toBe(1);
    release.resolve();
    await stopping;
    await until(() => calls >= 3);
    await engine.stop();
    expect(mostAtOnce).toBe(1);
  });

  it('stop before the first cycle prevents it; stop twice is harmless; start twice is refused', async () => {
    const idle = recordingModule('idle');
    const engine = newEngine([idle.module]);
    engine.start(1_000);
    expect(() => engine.start(1_000)).toThrow(/already running/);
    await engine.stop();
    await engine.stop();
    await sleep(20);
    expect(idle.calls).toHaveLength(0);

    // A stopped engine starts again.
    engine.start(1_000);
    await until(() => idle.calls.length === 1);
    await engine.stop();
  });
});

describe('ENGINE_INTERVAL_SECONDS', () => {
  it('defaults to 5 and accepts whole seconds from 1 to 3600', () => {
    expect(loadConfig({}).engineIntervalSeconds).toBe(5);
    expect(loadConfig({ ENGINE_INTERVAL_SECONDS: '1' }).engineIntervalSeconds).toBe(1);
    expect(loadConfig({ ENGINE_INTERVAL_SECONDS: '3600' }).engineIntervalSeconds).toBe(3600);
  });

  it.each(['0', '3601', '2.5', '-1', 'often'])('refuses %j, naming the variable and the range', (value) => {
    expect(() => loadConfig({ ENGINE_INTERVAL_SECONDS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ ENGINE_INTERVAL_SECONDS: value })).toThrow(
      `ENGINE_INTERVAL_SECONDS must be a whole number from 1 to 3600, got "${value}"`,
    );
  });
});
