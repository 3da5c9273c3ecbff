import Type from 'typebox';
import { invalidParameter } from '../shared/app-error.ts';

/** Flashduty's offset paging: `p` from 1, `limit` up to 100, and p × limit at most 10,000. */
const MAX_PAGE_WINDOW = 10_000;

export function pageFields(defaultLimit: number, maxLimit = 100) {
  return {
    p: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, default: defaultLimit })),
  };
}

export type Page = { p: number; limit: number; offset: number };

export function toPage(
  input: { p?: number | undefined; limit?: number | undefined },
  defaultLimit: number,
): Page {
  const p = input.p ?? 1;
  const limit = input.limit ?? defaultLimit;
  if (p * limit > MAX_PAGE_WINDOW) {
    throw invalidParameter('p', `p × limit must not exceed ${MAX_PAGE_WINDOW}; narrow the query instead`);
  }
  return { p, limit, offset: (p - 1) * limit };
}
