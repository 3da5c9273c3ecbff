import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { fetchApi } from './api.ts';
import { createMcpServer, type McpOptions, parseToolsets } from './server.ts';
import { VIGIL_MCP_VERSION } from './version.ts';

/*
 * `vigil mcp`: the stdio transport for a local assistant. It needs no database: every tool calls
 * the Vigil at VIGIL_URL with the member's app key (VIGIL_APP_KEY), as any API client would.
 */

export type McpCommand = { name: 'mcp'; url: string; appKey: string; options: McpOptions };

export const MCP_USAGE = `  mcp [--read-only] [--toolsets incidents,alerts,...]
                                          MCP server on standard input/output for an AI assistant;
                                          needs VIGIL_URL and VIGIL_APP_KEY (docs/mcp.md)`;

/** Reads `vigil mcp` arguments and environment; throws with a message naming what is wrong. */
export function parseMcp(argv: string[], env: NodeJS.ProcessEnv): McpCommand {
  const { values } = parseArgs({
    args: argv,
    options: { 'read-only': { type: 'boolean' }, toolsets: { type: 'string' } },
  });
  const url = env.VIGIL_URL;
  const appKey = env.VIGIL_APP_KEY;
  if (!url || !/^https?:\/\//.test(url))
    throw new Error("vigil mcp: set VIGIL_URL to Vigil's base URL (http[s]://…)");
  if (!appKey) throw new Error('vigil mcp: set VIGIL_APP_KEY to your app key');
  const readOnlyEnv = env.VIGIL_MCP_READ_ONLY;
  return {
    name: 'mcp',
    url,
    appKey,
    options: {
      readOnly: values['read-only'] === true || readOnlyEnv === 'true' || readOnlyEnv === '1',
      toolsets: parseToolsets(values.toolsets ?? env.VIGIL_MCP_TOOLSETS),
    },
  };
}

/** Serves MCP on standard input/output until the assistant closes it. */
export async function runMcpStdio(command: McpCommand): Promise<void> {
  const server = createMcpServer(
    {
      api: fetchApi(command.url, command.appKey),
      now: () => Math.floor(Date.now() / 1000),
      version: VIGIL_MCP_VERSION,
    },
    command.options,
  );
  const closed = new Promise<void>((resolve) => {
    server.onclose = resolve;
  });
  await server.connect(new StdioServerTransport());
  process.stdin.once('end', () => void server.close());
  await closed;
}
