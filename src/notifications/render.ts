import type { Db } from '../db/db.ts';
import { loadIncidentContext, toIncidentInfo } from '../incidents/incidents.mapper.ts';
import type { IncidentInfo } from '../incidents/incidents.schemas.ts';
import { DEFAULT_BODIES, EMAIL_SUBJECT, type TemplateChannel } from './default-template.ts';
import { type NotificationFacts, templateData } from './template-data.ts';
import { renderTemplate } from './template-engine.ts';

type Executor = Db['q'];

/** The incident as /incident/info shows it; undefined when it does not exist in the account. */
export async function loadIncidentInfo(
  q: Executor,
  accountId: number,
  incidentId: string,
  publicUrl: string,
): Promise<IncidentInfo | undefined> {
  const row = await q
    .selectFrom('incidents')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('incident_id', '=', incidentId.toLowerCase())
    .where('deleted_at', '=', 0)
    .executeTakeFirst();
  if (!row) return undefined;
  return toIncidentInfo(row, await loadIncidentContext(q, accountId, [row], publicUrl));
}

/** What a channel sends: a subject/title (e-mail, chats with a title) and the rendered body. */
export type Rendered = { title: string; body: string };

/**
 * Renders a template's body for a channel over an incident; a channel the template leaves empty
 * uses the default template's body. Throws TemplateError when the body fails at run time.
 */
export function renderFor(
  bodies: Partial<Record<string, string>>,
  channel: TemplateChannel,
  incident: IncidentInfo,
  facts: NotificationFacts,
): Rendered {
  const data = templateData(incident, facts);
  const source = bodies[channel] || DEFAULT_BODIES[channel];
  return { title: renderTemplate(EMAIL_SUBJECT, data).trim(), body: renderTemplate(source, data) };
}
