import Type, { type Static, type TSchema } from 'typebox';
import type { VigilApi } from './api.ts';

/** The groups tools are selected by (Flashduty's toolsets, plus Vigil's `oncall`). */
export const TOOLSETS = [
  'incidents',
  'alerts',
  'changes',
  'status_page',
  'users',
  'channels',
  'fields',
  'templates',
  'oncall',
] as const;
export type Toolset = (typeof TOOLSETS)[number];

export type ToolContext = {
  api: VigilApi;
  /** Unix seconds now (the server's clock for /mcp, the machine's for stdio). */
  now(): number;
};

/** One MCP tool: its Flashduty name, what it needs, and a handler that calls Vigil's API. */
export type Tool<S extends TSchema = TSchema> = {
  name: string;
  toolset: Toolset;
  title: string;
  description: string;
  /** Changes something: not offered in read-only mode. */
  write: boolean;
  input: S;
  run(context: ToolContext, input: Static<S>): Promise<unknown>;
};

export function defineTool<S extends TSchema>(tool: Tool<S>): Tool {
  return tool as unknown as Tool;
}

/** A refusal the assistant should read: the API's error, or why the tool cannot answer. */
export class ToolFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Calls the API and returns its data, or throws its error (code and message as the API said). */
export async function call<T = unknown>(
  context: ToolContext,
  path: string,
  input: Record<string, unknown>,
  method: 'GET' | 'POST' = 'POST',
): Promise<T> {
  const answer = await context.api.call(path, dropUndefined(input), method);
  if (!answer.ok) throw new ToolFailure(answer.error.code, answer.error.message);
  return answer.data as T;
}

function dropUndefined(input: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

/* Paging: every list tool takes `limit` (1–100, default 20) and `page` (from 1). */

const MAX_LIMIT = 100;
export const Paging = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_LIMIT, description: 'Items per page (1–100, default 20).' }),
  ),
  page: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'Page number from 1; when has_next_page is true, ask for the next.',
    }),
  ),
};

export type Page = { page: number; limit: number };

export function pageOf(input: { limit?: number | undefined; page?: number | undefined }): Page {
  return { page: input.page ?? 1, limit: input.limit ?? 20 };
}

/** One page of a list the API answered whole. */
export function slicePage<T>(items: readonly T[], page: Page) {
  const start = (page.page - 1) * page.limit;
  return {
    items: items.slice(start, start + page.limit),
    total: items.length,
    page: page.page,
    limit: page.limit,
    has_next_page: start + page.limit < items.length,
  };
}

/** Comma-separated values as the Flashduty MCP server takes them ("a,b, c"). */
export function csv(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const values = text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return values;
}

/** Comma-separated numeric ids; a value that is not one is refused, naming the argument. */
export function csvIds(name: string, text: string | undefined): number[] | undefined {
  const values = csv(text);
  if (values === undefined) return undefined;
  return values.map((v) => {
    if (!/^\d{1,16}$/.test(v)) throw new ToolFailure('InvalidParameter', `${name}: "${v}" is not an id`);
    return Number(v);
  });
}

/** Comma-separated incident or alert ids (24 hex characters), at least one. */
export function csvObjectIds(name: string, text: string): string[] {
  const values = csv(text) ?? [];
  if (values.length === 0) throw new ToolFailure('InvalidParameter', `${name}: give at least one id`);
  if (values.length > MAX_LIMIT)
    throw new ToolFailure('InvalidParameter', `${name}: at most ${MAX_LIMIT} ids`);
  for (const v of values) {
    if (!/^[0-9a-fA-F]{24}$/.test(v))
      throw new ToolFailure('InvalidParameter', `${name}: "${v}" is not an id (24 hexadecimal characters)`);
  }
  return values;
}
