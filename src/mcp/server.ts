import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { Ajv, type ValidateFunction } from 'ajv';
import type { VigilApi } from './api.ts';
import { bounded } from './bounded.ts';
import { incidentResource, listIncidentResources, RESOURCE_TEMPLATE } from './resources.ts';
import { TOOLSETS, type Tool, type ToolContext, ToolFailure, type Toolset } from './tool.ts';
import { ALL_TOOLS } from './tools/index.ts';
import { TRIAGE_PROMPT, triagePrompt } from './triage.ts';

/** What an MCP session may use: read-only mode and the toolsets chosen (docs/mcp.md). */
export type McpOptions = { readOnly: boolean; toolsets: readonly Toolset[] };

export type McpDeps = { api: VigilApi; now(): number; version: string };

const ajv = new Ajv({ coerceTypes: false, useDefaults: false, allErrors: false, strict: false });
const validators = new Map<Tool, ValidateFunction>();
const validatorOf = (tool: Tool) => {
  let validate = validators.get(tool);
  if (!validate) {
    validate = ajv.compile(tool.input);
    validators.set(tool, validate);
  }
  return validate;
};

/** The tools a session offers. */
function offeredTools(options: McpOptions): Tool[] {
  return ALL_TOOLS.filter((t) => options.toolsets.includes(t.toolset) && !(options.readOnly && t.write));
}

/** Reads a toolset list ("incidents,alerts" or "all"); an unknown name is an error naming it. */
export function parseToolsets(text: string | undefined): Toolset[] {
  if (text === undefined || text.trim() === '' || text.trim() === 'all') return [...TOOLSETS];
  return text.split(',').map((name) => {
    const trimmed = name.trim();
    if (!(TOOLSETS as readonly string[]).includes(trimmed))
      throw new Error(`unknown toolset "${trimmed}"; the toolsets are ${TOOLSETS.join(', ')}`);
    return trimmed as Toolset;
  });
}

const text = (value: unknown, isError = false): CallToolResult => ({
  content: [{ type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) }],
  ...(isError ? { isError: true } : {}),
});

/** A new MCP server (one per session or per HTTP request) acting through `deps.api`. */
export function createMcpServer(deps: McpDeps, options: McpOptions): Server {
  const server = new Server(
    { name: 'vigil', title: 'Vigil', version: deps.version },
    {
      capabilities: { tools: {}, resources: {}, prompts: {} },
      instructions:
        'Vigil is an on-call and incident platform. These tools act as the member whose key or session ' +
        'the assistant uses, with exactly their permissions; writes are recorded on the incident timeline ' +
        'as done by that member via the assistant. Lists are paged: ask for the next page when ' +
        'has_next_page is true. Prefer relative times ("24h", "7d").',
    },
  );
  const tools = offeredTools(options);
  const context: ToolContext = { api: deps.api, now: deps.now };

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: JSON.parse(JSON.stringify(tool.input)),
      annotations: {
        title: tool.title,
        readOnlyHint: !tool.write,
        destructiveHint: false,
        openWorldHint: false,
      },
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = tools.find((t) => t.name === request.params.name);
    if (!tool) {
      const known = ALL_TOOLS.find((t) => t.name === request.params.name);
      const why = !known
        ? 'there is no such tool'
        : options.readOnly && known.write
          ? 'this server is read-only (it changes nothing)'
          : `its toolset "${known.toolset}" is not selected`;
      throw new McpError(ErrorCode.InvalidParams, `Tool ${request.params.name} is not offered: ${why}.`);
    }
    const args = request.params.arguments ?? {};
    const validate = validatorOf(tool);
    if (!validate(args)) {
      const error = validate.errors?.[0];
      const field =
        error?.instancePath.replace(/^\//, '').replace(/\//g, '.') || error?.params?.missingProperty;
      return text(
        `InvalidParameter: ${field ? `${field}: ` : ''}${error?.message ?? 'invalid arguments'}`,
        true,
      );
    }
    try {
      return text(bounded(await tool.run(context, args)));
    } catch (error) {
      if (error instanceof ToolFailure) return text(`${error.code}: ${error.message}`, true);
      throw error;
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: await listIncidentResources(context),
  }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [RESOURCE_TEMPLATE],
  }));
  server.setRequestHandler(ReadResourceRequestSchema, async (request) => ({
    contents: [await incidentResource(context, request.params.uri)],
  }));

  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [TRIAGE_PROMPT] }));
  server.setRequestHandler(GetPromptRequestSchema, async (request) => {
    if (request.params.name !== TRIAGE_PROMPT.name)
      throw new McpError(ErrorCode.InvalidParams, `There is no prompt ${request.params.name}.`);
    return triagePrompt(context, request.params.arguments ?? {});
  });
  return server;
}
