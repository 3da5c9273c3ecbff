import { sql } from 'kysely';
import type { Dispatcher } from 'undici';
import type { Actor } from '../../accounts/permissions.ts';
import type { Db } from '../../db/db.ts';
import { postJson } from '../../notifications/providers/webhook.ts';
import { invalidParameter, notFound } from '../../shared/app-error.ts';
import type { Clock } from '../../shared/clock.ts';
import { newObjectId } from '../../shared/ids.ts';
import { storedWebhookSettings } from '../../webhooks/webhook-settings.ts';
import { addFeedEntries } from '../feed.store.ts';
import { loadIncidentContext, toIncidentInfo } from '../incidents.mapper.ts';
import { findIncident } from '../incidents.query.ts';
import { SIGNATURE_HEADER, signatureOf, TIMESTAMP_HEADER } from './signature.ts';

/*
 * Custom actions (docs/custom-actions.md): a `custom.action` integration is an HTTP endpoint bound
 * to channels; running it on an incident POSTs the incident to it, signed, and records who ran it
 * and how it went on the incident's timeline (i_custom).
 */

export type CustomActionDeps = {
  db: Db;
  clock: Clock;
  publicUrl: string;
  /** guardedDispatcher(OUTBOUND_ALLOW): the address is checked when the connection is made. */
  dispatcher: Dispatcher;
  timeoutMs: number;
};

/** How much of the endpoint's answer the timeline keeps. */
const RESPONSE_MAX_BYTES = 1024;

/** The enabled custom actions offered on a channel, by name. */
async function actionsOfChannel(q: Db['q'], accountId: number, channelId: number) {
  const rows = await q
    .selectFrom('integrations')
    .select(['integration_id', 'name', 'integration_key', 'settings'])
    .where('account_id', '=', accountId)
    .where('plugin_type', '=', 'custom.action')
    .where('status', '=', 'enabled')
    .where(sql<boolean>`settings->'channel_ids' @> ${JSON.stringify([channelId])}::jsonb`)
    .orderBy('name')
    .orderBy('integration_id')
    .execute();
  return rows.map((row) => ({ ...row, settings: storedWebhookSettings(row.settings) }));
}

export async function listCustomActions(deps: CustomActionDeps, actor: Actor, incidentId: string) {
  const incident = await findIncident(deps.db.q, actor.accountId, incidentId);
  if (!incident) throw notFound(`incident ${incidentId}`);
  const actions = await actionsOfChannel(deps.db.q, actor.accountId, incident.channel_id);
  return { items: actions.map((a) => ({ integration_id: a.integration_id, integration_name: a.name })) };
}

/** Runs the action: `{}` when its endpoint answered 2xx, `{message}` saying why not otherwise. */
export async function runCustomAction(
  deps: CustomActionDeps,
  actor: Actor,
  input: { incident_id: string; integration_id: number },
): Promise<{ message?: string }> {
  const q = deps.db.q;
  const incident = await findIncident(q, actor.accountId, input.incident_id);
  if (!incident) throw notFound(`incident ${input.incident_id}`);
  const action = (await actionsOfChannel(q, actor.accountId, incident.channel_id)).find(
    (a) => a.integration_id === input.integration_id,
  );
  if (!action) {
    throw invalidParameter(
      'integration_id',
      `integration ${input.integration_id} is not an enabled custom action of the incident's channel`,
    );
  }
  const member = await q
    .selectFrom('members')
    .select(['member_name', 'email'])
    .where('account_id', '=', actor.accountId)
    .where('member_id', '=', actor.memberId)
    .executeTakeFirst();
  const context = await loadIncidentContext(q, actor.accountId, [incident], deps.publicUrl, {
    frequencies: false,
  });
  const nowMs = deps.clock.nowMs();
  const eventId = newObjectId(nowMs);
  const body = JSON.stringify({
    event_id: eventId,
    event_type: 'i_custom',
    event_time: nowMs,
    action: { integration_id: action.integration_id, integration_name: action.name },
    person: { person_id: actor.memberId, person_name: member?.member_name ?? '', email: member?.email ?? '' },
    incident: toIncidentInfo(incident, context),
  });
  const timestamp = Math.floor(nowMs / 1000);
  const result = await postJson(
    action.settings.url,
    {
      ...action.settings.headers,
      'Content-Type': 'application/json',
      'Idempotency-Key': eventId,
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signatureOf(action.integration_key, timestamp, body),
    },
    body,
    { timeoutMs: deps.timeoutMs, maxResponseBytes: RESPONSE_MAX_BYTES, dispatcher: deps.dispatcher },
  );
  await addFeedEntries(q, [
    {
      accountId: actor.accountId,
      incidentId: incident.incident_id,
      type: 'i_custom',
      creatorId: actor.memberId,
      atMs: deps.clock.nowMs(),
      detail: {
        integration_id: action.integration_id,
        integration_name: action.name,
        ok: result.ok,
        status_code: result.statusCode,
        duration_ms: result.durationMs,
        ...(result.ok ? {} : { error: result.error }),
      },
    },
  ]);
  return result.ok ? {} : { message: result.error };
}
