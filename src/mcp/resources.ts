import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { call, type ToolContext, ToolFailure } from './tool.ts';

/* Incidents as MCP resources: vigil://incident/<id>, read through /incident/info. */

const PREFIX = 'vigil://incident/';
/** MCP's "resource not found" code (not among the SDK's ErrorCode values). */
const RESOURCE_NOT_FOUND = -32002;

export const RESOURCE_TEMPLATE = {
  uriTemplate: `${PREFIX}{incident_id}`,
  name: 'incident',
  title: 'Incident',
  description: 'An incident of the account: its state, severity, labels, responders and links.',
  mimeType: 'application/json',
};

/** The open incidents of the last 7 days (at most 50), as resources. */
export async function listIncidentResources(context: ToolContext) {
  const now = context.now();
  const data = await call<{
    items: { incident_id: string; title: string; progress: string; incident_severity: string }[];
  }>(context, '/incident/list', {
    start_time: now - 7 * 86_400,
    end_time: now + 1,
    progress: 'Triggered,Processing',
    limit: 50,
  });
  return data.items.map((incident) => ({
    uri: `${PREFIX}${incident.incident_id}`,
    name: incident.title,
    description: `${incident.incident_severity} · ${incident.progress}`,
    mimeType: 'application/json',
  }));
}

export async function incidentResource(context: ToolContext, uri: string) {
  const id = uri.startsWith(PREFIX) ? uri.slice(PREFIX.length) : '';
  if (!/^[0-9a-fA-F]{24}$/.test(id))
    throw new McpError(ErrorCode.InvalidParams, `${uri} is not an incident resource (${PREFIX}<24 hex id>)`);
  try {
    const incident = await call(context, '/incident/info', { incident_id: id });
    return { uri, mimeType: 'application/json', text: JSON.stringify(incident) };
  } catch (error) {
    if (error instanceof ToolFailure)
      throw new McpError(
        error.code === 'ResourceNotFound' ? RESOURCE_NOT_FOUND : ErrorCode.InvalidRequest,
        `${error.code}: ${error.message}`,
      );
    throw error;
  }
}
