import type { Actor } from '../../accounts/permissions.ts';
import type { Severity } from '../../db/schema.ts';
import { invalidParameter } from '../../shared/app-error.ts';
import { addFeedEntries, type FeedEntry } from '../feed.store.ts';
import { type ActionDeps, byActor, inTransaction, lockIncidents } from './actions.store.ts';

export type ResetInput = {
  incident_id: string;
  title?: string;
  description?: string;
  impact?: string;
  root_cause?: string;
  resolution?: string;
  incident_severity?: Severity;
};

/**
 * Editable fields: their feed type, and whether the incident's alerts would otherwise derive them
 * (then a person's value is recorded in manual_overrides and the pipeline keeps it).
 */
const FIELDS = [
  { field: 'title', feed: 'i_r_title', derived: true },
  { field: 'description', feed: 'i_r_desc', derived: true },
  { field: 'impact', feed: 'i_r_impact', derived: false },
  { field: 'root_cause', feed: 'i_r_rc', derived: false },
  { field: 'resolution', feed: 'i_r_rsltn', derived: false },
  { field: 'incident_severity', feed: 'i_r_severity', derived: true },
] as const;

/**
 * /incident/reset: sets the fields sent (at least one), on an incident in any progress. Each field
 * whose value changes gets its i_r_* entry {from, to}; title, description and incident_severity are
 * added to manual_overrides even when unchanged, as a person has now chosen them.
 */
export async function resetIncident(deps: ActionDeps, actor: Actor, input: ResetInput): Promise<void> {
  const sent = FIELDS.filter(({ field }) => input[field] !== undefined);
  if (sent.length === 0) {
    throw invalidParameter(
      'request body',
      'send at least one of title, description, impact, root_cause, resolution, incident_severity',
    );
  }
  // Titles are stored without surrounding blanks, and must still have 3 characters then.
  const title = input.title?.trim();
  if (title !== undefined && [...title].length < 3) {
    throw invalidParameter('title', 'must have at least 3 characters besides surrounding blanks');
  }
  const values = { ...input, ...(title === undefined ? {} : { title }) };
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const [incident] = await lockIncidents(trx, actor.accountId, [input.incident_id]);
    const overrides = new Set(incident!.manual_overrides);
    const changes: Record<string, string> = {};
    const feed: FeedEntry[] = [];
    for (const { field, feed: type, derived } of sent) {
      const to = values[field]!;
      const from = incident![field];
      changes[field] = to;
      if (derived) overrides.add(field);
      if (from !== to) {
        feed.push(byActor(actor, nowMs, { incidentId: incident!.incident_id, type, detail: { from, to } }));
      }
    }
    await trx
      .updateTable('incidents')
      .set({ ...changes, manual_overrides: [...overrides], updated_at: now })
      .where('incident_id', '=', incident!.incident_id)
      .execute();
    await addFeedEntries(trx, feed);
  });
}

/** Custom fields per incident, and the size of one value as JSON (Vigil's limits). */
const MAX_FIELDS = 100;
const MAX_FIELD_JSON = 6144;

export type FieldResetInput = { incident_id: string; field_name: string; field_value?: unknown };

/**
 * /incident/field/reset: sets one custom field in `fields`. Field definitions do not exist yet, so
 * any name matching ^[a-z][a-z0-9_]{0,39}$ and any JSON value is taken; an absent or null value
 * removes the field. An i_r_field entry {field_name, from, to} records it.
 */
export async function resetIncidentField(
  deps: ActionDeps,
  actor: Actor,
  input: FieldResetInput,
): Promise<void> {
  const value = input.field_value ?? null;
  if (value !== null && JSON.stringify(value).length > MAX_FIELD_JSON) {
    throw invalidParameter('field_value', `must be at most ${MAX_FIELD_JSON} characters as JSON`);
  }
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  await inTransaction(deps.db, async (trx) => {
    const [incident] = await lockIncidents(trx, actor.accountId, [input.incident_id]);
    const fields = { ...(incident!.fields as Record<string, unknown>) };
    const from = Object.hasOwn(fields, input.field_name) ? fields[input.field_name] : null;
    if (value === null) delete fields[input.field_name];
    else fields[input.field_name] = value;
    if (Object.keys(fields).length > MAX_FIELDS) {
      throw invalidParameter('field_name', `an incident holds at most ${MAX_FIELDS} custom fields`);
    }
    await trx
      .updateTable('incidents')
      .set({ fields: JSON.stringify(fields), updated_at: now })
      .where('incident_id', '=', incident!.incident_id)
      .execute();
    await addFeedEntries(trx, [
      byActor(actor, nowMs, {
        incidentId: incident!.incident_id,
        type: 'i_r_field',
        detail: { field_name: input.field_name, from, to: value },
      }),
    ]);
  });
}
