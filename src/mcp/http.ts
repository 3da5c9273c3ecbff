import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../http/app.ts';
import type { Api } from '../http/route.ts';
import { invalidParameter } from '../shared/app-error.ts';
import { nowSeconds } from '../shared/clock.ts';
import { type Credentials, injectApi } from './api.ts';
import { createMcpServer, type McpOptions, parseToolsets } from './server.ts';
import { VIGIL_MCP_VERSION } from './version.ts';

/*
 * POST /mcp: the Streamable HTTP transport, stateless (a new MCP server per request, JSON answers).
 * The app_key hook authenticates the caller as on any Open API route (app_key, or the console
 * session with its CSRF token); each tool then calls the API in-process with those same
 * credentials, so the member's permissions and account apply to every call.
 */

function options(request: FastifyRequest): McpOptions {
  const query = request.query as Record<string, unknown>;
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const readOnly = String(query.read_only ?? header('x-mcp-readonly') ?? '');
  const toolsets = query.toolsets ?? header('x-mcp-toolsets');
  let chosen: McpOptions['toolsets'];
  try {
    chosen = parseToolsets(typeof toolsets === 'string' ? toolsets : undefined);
  } catch (error) {
    throw invalidParameter('toolsets', (error as Error).message);
  }
  return { readOnly: readOnly === 'true' || readOnly === '1', toolsets: chosen };
}

function credentials(request: FastifyRequest): Credentials {
  const key = (request.query as Record<string, unknown>).app_key;
  if (typeof key === 'string' && key !== '') return { appKey: key };
  // No app_key: the hook accepted the console session, whose cookie and CSRF token are passed on.
  return { cookie: request.headers.cookie ?? '', csrfToken: String(request.headers['x-csrf-token'] ?? '') };
}

export function registerMcpRoutes(app: Api, deps: AppDeps): void {
  (app as unknown as FastifyInstance).route({
    method: 'POST',
    url: '/mcp',
    config: { appKey: { permission: null } },
    schema: { hide: true },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const server = createMcpServer(
        {
          api: injectApi(app, credentials(request)),
          now: () => nowSeconds(deps.clock),
          version: VIGIL_MCP_VERSION,
        },
        options(request),
      );
      // No session id generator: stateless, each POST is answered on its own.
      const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (error) {
        // The reply is hijacked: Fastify's error handler cannot answer, so answer here (no internals).
        request.log.error({ err: error }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(
            JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'Internal error' } }),
          );
        }
      }
    },
  });
}
