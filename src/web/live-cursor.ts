/*
 * Which incident changes are new, from what the poller reads (pure; live-hub.ts does the I/O).
 *
 * Every write of an incident stores the id of its transaction (`change_xid`, migration 0020). A
 * read returns the incidents written by transactions at or after `low`, together with the
 * snapshot's xmin: every transaction below it has ended, and its writes were visible to that
 * read. So the next read can start at that xmin and miss nothing, while rows of transactions
 * still running then are read again until they are done. A row is reported once per
 * (incident, writing transaction); `seen` remembers what was reported at or above `low`.
 */

export type ChangedRow = { accountId: number; incidentId: string; xid: bigint };

export class ChangeCursor {
  #low: bigint | undefined;
  #seen = new Set<string>();

  /** Where the next read starts; undefined before the first read (which starts at its own xmin). */
  get low(): bigint | undefined {
    return this.#low;
  }

  /** Starts (or restarts, after a pause) at `xmin`: what changed before is not reported. */
  startAt(xmin: bigint): void {
    this.#low = xmin;
    this.#seen.clear();
  }

  /** The rows of a read not reported before; moves `low` to the read's xmin. */
  accept(rows: readonly ChangedRow[], xmin: bigint): ChangedRow[] {
    const fresh: ChangedRow[] = [];
    for (const row of rows) {
      const key = `${row.incidentId}:${row.xid}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      fresh.push(row);
    }
    if (this.#low === undefined || xmin > this.#low) {
      this.#low = xmin;
      for (const key of this.#seen) {
        if (BigInt(key.slice(key.indexOf(':') + 1)) < xmin) this.#seen.delete(key);
      }
    }
    return fresh;
  }
}

/** Incident ids per account, each once, in the order they came. */
export function byAccount(rows: readonly ChangedRow[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const row of rows) {
    const ids = out.get(row.accountId) ?? [];
    if (!ids.includes(row.incidentId)) ids.push(row.incidentId);
    out.set(row.accountId, ids);
  }
  return out;
}
