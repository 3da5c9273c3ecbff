import { type Kysely, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import Type from 'typebox';
import type { Tables } from '../db/schema.ts';
import { invalidParameter } from '../shared/app-error.ts';
import { toPage } from './pagination.ts';

/*
 * The search lists of incidents, alerts and raw events (/incident/list, /alert/list,
 * /alert-event/list): a required time window of at most 31 days, comma-separated enum filters,
 * offset paging (`p`, `limit`) or an opaque `search_after_ctx` cursor, and a `total` capped at
 * 1000 as Flashduty reports it ("1000+").
 */

/** The longest window a search list accepts. */
export const MAX_WINDOW_SECONDS = 31 * 86_400;

/** `total` is exact up to this number and reported as this number above it. */
export const TOTAL_CAP = 1000;

/**
 * `p` and `limit` of a search list. Flashduty's schemas allow 0 for both (a Go zero value), and 0
 * means "the default", as unset does.
 */
export function searchPageFields(defaultLimit: number, maxLimit = 100) {
  return {
    p: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: maxLimit, default: defaultLimit })),
    search_after_ctx: Type.Optional(Type.Union([Type.String({ maxLength: 512 }), Type.Null()])),
  };
}

/** Refuses a window whose end is not after its start, or that spans more than 31 days. */
export function checkTimeWindow(startTime: number, endTime: number): void {
  if (endTime <= startTime) throw invalidParameter('end_time', 'must be greater than start_time');
  if (endTime - startTime > MAX_WINDOW_SECONDS) {
    throw invalidParameter('end_time', 'the window from start_time to end_time must not exceed 31 days');
  }
}

/**
 * A comma-separated filter such as `"Triggered,Processing"`: each value must be one of `allowed`
 * (blanks around values are ignored, duplicates dropped). Absent or empty means no filter.
 */
export function parseCsv<T extends string>(
  field: string,
  value: string | undefined,
  allowed: readonly T[],
): T[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return undefined;
  for (const part of parts) {
    if (!(allowed as readonly string[]).includes(part)) {
      throw invalidParameter(
        field,
        `${JSON.stringify(part)} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      );
    }
  }
  return [...new Set(parts)] as T[];
}

/** Where a cursor page starts: after the row with this sort value and id. */
export type After = { value: number; id: string };

/** Which page to read: an offset page, or the page after a cursor. */
export type SearchPage = { limit: number; offset: number; after: After | undefined };

/**
 * The cursor is base64url of `[orderBy, value, id]`: the sort column it was made for and the last
 * row's sort value and id. It is opaque to clients; a cursor made for another order is refused.
 */
function encodeCursor(orderBy: string, after: After): string {
  return Buffer.from(JSON.stringify([orderBy, after.value, after.id])).toString('base64url');
}

function decodeCursor(text: string, orderBy: string): After {
  const bad = () => invalidParameter('search_after_ctx', 'must be a cursor returned by the previous page');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[1] !== 'number' ||
    !Number.isSafeInteger(parsed[1]) ||
    typeof parsed[2] !== 'string' ||
    !/^[0-9a-f]{24}$/.test(parsed[2])
  ) {
    throw bad();
  }
  if (parsed[0] !== orderBy) {
    throw invalidParameter(
      'search_after_ctx',
      `was made for another order (${String(parsed[0])}), not ${orderBy}`,
    );
  }
  return { value: parsed[1], id: parsed[2] };
}

/**
 * The page a search asks for. A non-empty `search_after_ctx` wins over `p` (absent, empty or null
 * is the first page); otherwise `p` from 1 with `p × limit` at most 10,000.
 */
export function toSearchPage(
  input: { p?: number | undefined; limit?: number | undefined; search_after_ctx?: string | null | undefined },
  defaultLimit: number,
  orderBy: string,
): SearchPage {
  const limit = input.limit || defaultLimit;
  if (input.search_after_ctx) {
    return { limit, offset: 0, after: decodeCursor(input.search_after_ctx, orderBy) };
  }
  const page = toPage({ p: input.p || 1, limit }, defaultLimit);
  return { limit: page.limit, offset: page.offset, after: undefined };
}

/**
 * The paging part of a search answer from `limit + 1` fetched rows: the page's rows, whether more
 * follow, and the cursor of the next page (only when there is one).
 */
export function pageOfRows<R>(
  fetched: readonly R[],
  limit: number,
  orderBy: string,
  keyOf: (row: R) => After,
): { rows: R[]; has_next_page: boolean; search_after_ctx?: string } {
  const rows = fetched.slice(0, limit);
  const hasNext = fetched.length > limit;
  const last = rows.at(-1);
  return hasNext && last
    ? { rows, has_next_page: true, search_after_ctx: encodeCursor(orderBy, keyOf(last)) }
    : { rows, has_next_page: false };
}

/** `total` as reported: exact below the cap, the cap itself above it. */
export function cappedTotal(count: number): number {
  return Math.min(count, TOTAL_CAP);
}

/**
 * One page of a search list and its total: the rows matching `base`, ordered by (`order.column`,
 * `order.id`) and after the cursor when there is one, plus the count of at most TOTAL_CAP + 1
 * matching rows — the two queries in parallel.
 */
export async function searchRows<Row>(
  q: Kysely<Tables>,
  // biome-ignore lint/suspicious/noExplicitAny: any table of the schema, filtered by the caller.
  base: SelectQueryBuilder<any, any, object>,
  order: { column: string; id: string; asc: boolean },
  page: SearchPage,
): Promise<{ fetched: Row[]; count: number }> {
  const direction = order.asc ? 'asc' : 'desc';
  let rows = base.selectAll();
  if (page.after) {
    rows = rows.where(
      sql<SqlBool>`(${sql.ref(order.column)}, ${sql.ref(order.id)}) ${sql.raw(order.asc ? '>' : '<')} (${page.after.value}, ${page.after.id})`,
    );
  }
  const [fetched, counted] = await Promise.all([
    rows
      .orderBy(sql.ref(order.column), direction)
      .orderBy(sql.ref(order.id), direction)
      .offset(page.offset)
      .limit(page.limit + 1)
      .execute(),
    q
      .selectFrom(
        base
          .select(sql`1`.as('one'))
          // In the page's order, so the planner walks the same index and stops past the cap; unordered,
          // it may scan the table from its oldest rows (seen on a million incidents).
          .orderBy(sql.ref(order.column), direction)
          .orderBy(sql.ref(order.id), direction)
          .limit(TOTAL_CAP + 1)
          .as('capped'),
      )
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { fetched: fetched as Row[], count: Number(counted.n) };
}
