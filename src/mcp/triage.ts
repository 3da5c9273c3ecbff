import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { bounded } from './bounded.ts';
import { call, type ToolContext, ToolFailure } from './tool.ts';
import { similarIncidents } from './tools/incidents.ts';
import { whoIsOnCall } from './tools/oncall.ts';

/*
 * The "triage this incident" prompt: it gathers what a responder looks at first — the incident,
 * its timeline, its alerts, related changes, similar past incidents and who is on call — through
 * the same API calls as the tools, so a part the member may not read says so instead.
 */

export const TRIAGE_PROMPT = {
  name: 'triage_incident',
  title: 'Triage this incident',
  description:
    'Gather an incident with its timeline, alerts, related changes, similar past incidents and who is on ' +
    'call, and ask for a triage: impact, likely cause, next steps.',
  arguments: [
    { name: 'incident_id', description: 'The incident id (24 hexadecimal characters).', required: true },
  ],
};

async function part(label: string, load: () => Promise<unknown>): Promise<string> {
  try {
    return `## ${label}\n${JSON.stringify(bounded(await load(), 12_000))}`;
  } catch (error) {
    if (error instanceof ToolFailure) return `## ${label}\nNot available: ${error.code}: ${error.message}`;
    throw error;
  }
}

export async function triagePrompt(
  context: ToolContext,
  args: Record<string, string>,
): Promise<GetPromptResult> {
  const id = args.incident_id ?? '';
  if (!/^[0-9a-fA-F]{24}$/.test(id))
    throw new McpError(
      ErrorCode.InvalidParams,
      'incident_id: give an incident id (24 hexadecimal characters)',
    );
  let incident: { title: string; channel_id: number };
  try {
    incident = await call(context, '/incident/info', { incident_id: id });
  } catch (error) {
    if (error instanceof ToolFailure)
      throw new McpError(ErrorCode.InvalidParams, `${error.code}: ${error.message}`);
    throw error;
  }
  const sections = [
    `## Incident\n${JSON.stringify(bounded(incident, 12_000))}`,
    await part('Timeline (oldest first)', async () =>
      call(context, '/incident/feed', { incident_id: id, asc: true, limit: 50 }),
    ),
    await part('Alerts', async () =>
      call(context, '/incident/alert/list', { incident_id: id, p: 1, limit: 20 }),
    ),
    await part('Related changes (ranked)', async () =>
      call(context, '/incident/change/list', { incident_id: id, limit: 10 }),
    ),
    await part('Similar past incidents', async () => similarIncidents(context, id, 5)),
    await part('Who is on call for its channel', async () =>
      incident.channel_id > 0
        ? whoIsOnCall.run(context, { channel_id: incident.channel_id })
        : 'The incident is in no channel.',
    ),
  ];
  return {
    description: `Triage of "${incident.title}"`,
    messages: [
      {
        role: 'user',
        content: {
          type: 'text',
          text:
            `Triage this Vigil incident (${id}). From the data below: say what is affected and how badly, ` +
            'the most likely cause (weigh the related changes and the alerts), what similar past incidents ' +
            'suggest, who should act now, and the next three steps. Say what is unknown rather than guess.\n\n' +
            sections.join('\n\n'),
        },
      },
    ],
  };
}
