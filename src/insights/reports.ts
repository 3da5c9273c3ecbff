import { addMonths, toInstant, toNaive } from '../schedules/zoned.ts';
import { type AggregateUnit, naiveBucketStart } from './buckets.ts';

/*
 * The usage trends of the legacy /report/oncall/* (pure): every bucket of the window, in the
 * account's time zone, zero-filled, and the counts the database grouped by quarter hour added in.
 * A quarter hour never straddles a local day (every zone's offset is a multiple of 15 minutes).
 */

export const QUARTER = 900;

/** The `ts` of every bucket from the one holding `start` to the one holding `end`. */
function bucketStarts(zone: string, start: number, end: number, step: AggregateUnit): number[] {
  const last = naiveBucketStart(toNaive(zone, end), step);
  const out: number[] = [];
  for (let b = naiveBucketStart(toNaive(zone, start), step); b <= last; b = nextBucket(b, step)) {
    out.push(toInstant(zone, b));
  }
  return out;
}

function nextBucket(naive: number, step: AggregateUnit): number {
  if (step === 'month') return addMonths(naive, 1);
  return naive + (step === 'week' ? 7 : 1) * 86_400;
}

/** The buckets of the window with `counts` (rows of quarter-hour numbers) summed into them. */
export function fillBuckets<K extends string>(
  zone: string,
  window: { start: number; end: number; step: AggregateUnit },
  keys: readonly K[],
  counts: readonly ({ quarter: number } & Record<K, number>)[],
): ({ ts: number } & Record<K, number>)[] {
  const zero = () => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const byTs = new Map(bucketStarts(zone, window.start, window.end, window.step).map((ts) => [ts, zero()]));
  for (const row of counts) {
    const ts = toInstant(zone, naiveBucketStart(toNaive(zone, row.quarter * QUARTER), window.step));
    const bucket = byTs.get(ts);
    if (!bucket) continue;
    for (const k of keys) bucket[k] += Number(row[k]);
  }
  return [...byTs].map(([ts, values]) => ({ ts, ...values }));
}
