import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import Type, { type Static, type TSchema } from 'typebox';
import type { Actor, Permission } from '../accounts/permissions.ts';
import { type AuditEntry, runAudited } from '../audit/context.ts';
import { auditBody, auditTarget } from '../audit/mask.ts';
import { describeOperation, type Operation } from '../audit/operations.ts';
import type { Clock } from '../shared/clock.ts';

/** What the route layer needs to record state-changing calls (http/app.ts decorates the app with it). */
export type AuditSink = {
  clock: Clock;
  /** Every Open API operation declared, in order: the audit's operation list and permission factors. */
  operations: Operation[];
  /** Writes an entry outside any transaction: for a handler whose writes opened none. */
  record(entry: AuditEntry): Promise<void>;
};

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditSink;
  }
}

export type Api = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** Flashduty's success envelope around a route's data. */
export function envelope<T extends TSchema>(data: T) {
  return Type.Object({ request_id: Type.String(), data });
}

export const Empty = Type.Object({});

type OpenApiRoute<B extends TSchema, D extends TSchema> = {
  /** Tag in the OpenAPI document, e.g. "Members". */
  tag: string;
  summary: string;
  /** The permission the member behind the app_key must hold; null when any valid key will do. */
  permission: Permission | null;
  method?: 'POST' | 'GET';
  /** The JSON body (POST) or query string (GET). */
  input: B;
  data: D;
  /** Largest request body, when the app's 1 MB does not fit the operation (a file upload). */
  bodyLimit?: number;
};

export type Call<B extends TSchema> = {
  actor: Actor;
  input: Static<B>;
  requestId: string;
  /** The request itself, for the rare operation that calls Vigil again as its caller (the import). */
  request: FastifyRequest;
};

/**
 * Declares one Open API operation: app_key auth, permission, validated input, and a response
 * serialised through its schema inside the envelope. The handler only maps input to data.
 */
export function openApi<B extends TSchema, D extends TSchema>(
  app: Api,
  url: string,
  route: OpenApiRoute<B, D>,
  handler: (call: Call<B>) => Promise<Static<D>>,
): void {
  const method = route.method ?? 'POST';
  const operation = describeOperation({ url, method, permission: route.permission, summary: route.summary });
  const sink = (app as unknown as FastifyInstance).audit as AuditSink | undefined;
  sink?.operations.push(operation);
  const inputPart = method === 'GET' ? 'querystring' : 'body';
  // Registered untyped: Fastify cannot relate a generic schema to its static type, and the
  // response schema checks the shape at run time anyway.
  (app as unknown as FastifyInstance).route({
    method,
    url,
    config: { appKey: { permission: route.permission } },
    ...(route.bodyLimit === undefined ? {} : { bodyLimit: route.bodyLimit }),
    schema: {
      tags: [route.tag],
      summary: route.summary,
      ...(route.permission ? { description: `Permission: ${route.permission}` } : {}),
      [inputPart]: route.input,
      response: { 200: envelope(route.data) },
    },
    handler: async (request) => {
      const value = (method === 'GET' ? request.query : request.body) as Static<B>;
      const run = () => handler({ actor: request.actor!, input: value, requestId: request.id, request });
      const data =
        sink && operation.isWrite
          ? await runAudited(auditEntry(request, operation, sink.clock), run, sink.record)
          : await run();
      return { request_id: request.id, data };
    },
  });
}

/**
 * Runs a state-changing route that is not an Open API operation (the console's own password
 * change) as openApi runs a write: recorded in its transaction, listed among the operations.
 */
export function auditedConsoleWrite(
  app: Api,
  route: { url: string; summary: string },
): <T>(request: FastifyRequest, actor: AuditActor, run: () => Promise<T>) => Promise<T> {
  const sink = (app as unknown as FastifyInstance).audit as AuditSink | undefined;
  const operation = describeOperation({ ...route, method: 'POST', permission: null });
  sink?.operations.push(operation);
  return (request, actor, run) =>
    sink ? runAudited(auditEntry(request, operation, sink.clock, actor), run, sink.record) : run();
}

type AuditActor = Pick<Actor, 'accountId' | 'memberId' | 'memberName' | 'keyId' | 'via'>;

/** The audit row of a state-changing call: who, how, what, on which objects, from where (docs/audit.md). */
function auditEntry(
  request: FastifyRequest,
  operation: Operation,
  clock: Clock,
  actor: AuditActor = request.actor!,
): AuditEntry {
  const agent = request.headers['user-agent'];
  return {
    account_id: actor.accountId,
    created_at: clock.nowMs(),
    member_id: actor.memberId,
    member_name: actor.memberName,
    credential: actor.via === 'assistant' ? 'assistant' : actor.keyId !== undefined ? 'app_key' : 'session',
    key_id: actor.keyId ?? null,
    request_id: request.id,
    ip: request.ip ?? '',
    user_agent: typeof agent === 'string' ? agent.slice(0, 512) : '',
    operation: operation.name,
    operation_name: operation.summary,
    target: auditTarget(request.body),
    body: auditBody(request.body),
    is_dangerous: operation.isDangerous,
  };
}
