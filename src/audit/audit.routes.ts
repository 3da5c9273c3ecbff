import type { Static } from 'typebox';
import type { AppDeps } from '../http/app.ts';
import { type Api, openApi } from '../http/route.ts';
import { invalidParameter } from '../shared/app-error.ts';
import * as S from './audit.schemas.ts';
import { type AuditRow, searchAuditLogs } from './audit.store.ts';

/** The longest window /audit/search accepts (Flashduty: 90 days). */
const MAX_WINDOW_SECONDS = 90 * 86_400;
const DEFAULT_LIMIT = 20;

/** The cursor is base64url of `[created_at, audit_id]` of the previous page's last entry; opaque to clients. */
function encodeCursor(row: AuditRow): string {
  return Buffer.from(JSON.stringify([row.created_at, row.audit_id])).toString('base64url');
}

function decodeCursor(text: string): { createdAt: number; auditId: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((n) => Number.isSafeInteger(n)))
    throw invalidParameter('search_after_ctx', 'must be a cursor returned by the previous page');
  return { createdAt: parsed[0], auditId: parsed[1] };
}

function toAuditLog(row: AuditRow): Static<typeof S.AuditLog> {
  return {
    created_at: row.created_at,
    account_id: row.account_id,
    member_id: row.member_id,
    member_name: row.member_name,
    request_id: row.request_id,
    ip: row.ip,
    operation: row.operation,
    operation_name: row.operation_name,
    body: row.body,
    params: [],
    is_dangerous: row.is_dangerous,
    is_write: row.is_write,
    credential: row.credential,
    ...(row.key_id !== null ? { key_id: row.key_id } : {}),
    user_agent: row.user_agent,
    target: row.target,
  };
}

/** The audit log (platform.openapi.en.json, Audit): search and the operations it can name. */
export function registerAuditRoutes(app: Api, deps: AppDeps): void {
  const Audit = { tag: 'Audit' };

  openApi(
    app,
    '/audit/search',
    {
      ...Audit,
      summary: 'Search the audit log',
      permission: 'audit.read',
      input: S.AuditSearchRequest,
      data: S.AuditSearchResponse,
    },
    async ({ actor, input }) => {
      if (input.end_time <= input.start_time) throw invalidParameter('end_time', 'must be after start_time');
      if (input.end_time - input.start_time > MAX_WINDOW_SECONDS)
        throw invalidParameter('end_time', 'the window from start_time to end_time must not exceed 90 days');
      const limit = input.limit || DEFAULT_LIMIT;
      // Only writes are recorded (docs/audit.md): asking for reads finds nothing.
      const { rows, total } = await searchAuditLogs(deps.db, {
        accountId: actor.accountId,
        fromMs: input.start_time * 1000,
        toMs: input.end_time * 1000 + 999,
        limit: limit + 1,
        after: input.search_after_ctx ? decodeCursor(input.search_after_ctx) : undefined,
        requestId: input.request_id || undefined,
        operations: input.operations,
        memberId: input.person_id || undefined,
        isDangerous: input.is_dangerous,
        isWrite: input.is_write,
      });
      const page = rows.slice(0, limit);
      const more = rows.length > limit;
      return {
        total,
        search_after_ctx: more ? encodeCursor(page.at(-1)!) : '',
        docs: page.map(toAuditLog),
      };
    },
  );

  openApi(
    app,
    '/audit/operation/list',
    {
      ...Audit,
      summary: 'List auditable operations',
      permission: 'audit.read',
      input: S.AuditOperationListRequest,
      data: S.AuditOperationList,
    },
    async ({ request }) => {
      const seen = new Set<string>();
      const items = [];
      for (const op of request.server.audit.operations) {
        if (!op.isWrite || seen.has(op.name)) continue;
        seen.add(op.name);
        items.push({ name: op.name, name_cn: op.summary });
      }
      return { items };
    },
  );
}
