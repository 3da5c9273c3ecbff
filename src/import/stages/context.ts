import type { Kind, Source } from '../model.ts';
import type { ImportReport, PlanItem } from '../run.ts';
import { type VigilApi, VigilError } from '../vigil-api.ts';

/* What every stage shares: the two APIs, the mode, the ids resolved so far, and the report. */

/** Source ids resolved to Vigil ids; `planned` marks objects a plan would create (no id yet). */
export type UserRefs = {
  users: Map<string, number>;
  teams: Map<string, number>;
  schedules: Map<string, number>;
  channels: Map<string, number>;
  planned: Set<string>;
  /** Vigil member ids back to the source's user ids, for the on-call check. */
  sourceOfMember: Map<number, string>;
};

export const newRefs = (): UserRefs => ({
  users: new Map(),
  teams: new Map(),
  schedules: new Map(),
  channels: new Map(),
  planned: new Set(),
  sourceOfMember: new Map(),
});

export type StageContext = {
  api: VigilApi;
  source: Source;
  apply: boolean;
  now: number;
  checkDays: number;
  refs: UserRefs;
  report: ImportReport;
  progress: (stage: Kind, message: string) => void;
  /** Objects already listed in this run (channels appear in two stages). */
  handled: Set<string>;
};

/** Adds an item to the report and says what it is about to do. */
export function record(ctx: StageContext, item: PlanItem): PlanItem {
  ctx.report.items.push(item);
  ctx.progress(
    item.stage,
    `${item.action} ${item.kind} ${item.name}${item.reason ? `: ${item.reason}` : ''}`,
  );
  return item;
}

/**
 * Runs one write; a refusal by Vigil marks the item failed with Vigil's words and the run goes on
 * (the next run tries it again).
 */
export async function write<T>(item: PlanItem, run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof VigilError && error.code !== 'Unreachable') {
      item.action = 'failed';
      item.reason = `Vigil refused it: ${error.message}`;
      return undefined;
    }
    throw error;
  }
}

/** Placeholder ids of planned objects: negative, so they never look like Vigil's. */
export function plannedId(ctx: StageContext, key: string): number {
  ctx.refs.planned.add(key);
  return -(ctx.refs.planned.size + 1);
}
