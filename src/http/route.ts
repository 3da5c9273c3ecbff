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
  const inputPart = method === 'GET' ? 'querystring' : 'body';
  // Registered untyped: Fastify cannot relate a generic schema to its static type, and the
  // response schema checks the shape at run time anyway.
  (app as unknown as FastifyInstance).route({
    method,
    url,
    config: { appKey: { permission: route.permission } },
    schema: {
      tags: [route.tag],
      summary: route.summary,
      ...(route.permission ? { description: `Permission: ${route.permission}` } : {}),
      [inputPart]: route.input,
      response: { 200: envelope(route.data) },
    },
    handler: async (request) => {
      const value = (method === 'GET' ? request.query : request.body) as Static<B>;
      const data = await handler({ actor: request.actor!, input: value, requestId: request.id, request });
      return { request_id: request.id, data };
    },
  });
}
