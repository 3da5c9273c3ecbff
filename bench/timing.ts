import { performance } from 'node:perf_hooks';
import type { Server } from './server.ts';
import { log } from './targets.ts';

/** The percentiles of one endpoint's request times (ms), and how many items its last answer held. */
export type Timing = { name: string; runs: number; p50: number; p95: number; max: number; items: number };

/** One request against a server; resolves to the number of items it answered. */
export type Request = (server: Server, run: number) => Promise<number>;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarise(name: string, times: number[], items: number): Timing {
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    name,
    runs: times.length,
    p50: round(percentile(times, 50)),
    p95: round(percentile(times, 95)),
    max: round(times.at(-1)!),
    items,
  };
}

/**
 * Times one endpoint on every server, run by run in turn (before, after, before, ...), so both see
 * the same moments of a busy machine. One untimed call each first warms caches and prepared plans,
 * as a dashboard's first paint would.
 */
export async function timed(
  name: string,
  runs: number,
  servers: readonly Server[],
  request: Request,
): Promise<Timing[]> {
  for (const server of servers) await request(server, 0);
  const times = servers.map(() => [] as number[]);
  const items = servers.map(() => 0);
  for (let run = 1; run <= runs; run++) {
    for (const [i, server] of servers.entries()) {
      const started = performance.now();
      items[i] = await request(server, run);
      times[i]!.push(performance.now() - started);
    }
  }
  const timings = servers.map((_, i) => summarise(name, times[i]!, items[i]!));
  log(
    `${name}: ${timings.map((t) => `p50 ${t.p50} ms, p95 ${t.p95} ms`).join(' | ')} (${items.at(-1)} items)`,
  );
  return timings;
}
