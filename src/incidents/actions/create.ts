import type { Static } from 'typebox';
import type { Actor } from '../../accounts/permissions.ts';
import { findChannel } from '../../channels/channels.store.ts';
import type { Severity } from '../../db/schema.ts';
import { requestEngineCycle } from '../../jobs/engine.ts';
import { deliveryCapabilities } from '../../notifications/preferences.ts';
import { invalidParameter } from '../../shared/app-error.ts';
import { newObjectId } from '../../shared/ids.ts';
import { addFeedEntries } from '../feed.store.ts';
import type { AssignedTo } from './actions.schemas.ts';
import { byActor, inTransaction, lockIncidents } from './actions.store.ts';
import { type AssignDeps, applyAssignment } from './assign.ts';

export type CreateInput = {
  incident_severity: Severity;
  title: string;
  description?: string;
  channel_id?: number;
  assigned_to?: Static<typeof AssignedTo>;
};

/**
 * /incident/create: a manual incident, created by the caller, with no alerts and empty labels, in a
 * channel of the account (disabled ones included) or standalone (channel_id absent or 0). Its status
 * is its severity, as an incident's status is its highest active alert's.
 */
export async function createIncident(
  deps: AssignDeps,
  actor: Actor,
  input: CreateInput,
): Promise<{ incident_id: string; title: string }> {
  const title = input.title.trim();
  if (title === '') throw invalidParameter('title', 'must not be blank');
  const channelId = input.channel_id ?? 0;
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  const incidentId = newObjectId(nowMs);
  await inTransaction(deps.db, async (trx) => {
    if (channelId > 0) {
      // Locked, so the channel cannot be deleted while the incident is being created in it.
      const channel = await findChannel(trx, actor.accountId, channelId, { lock: true });
      if (!channel) throw invalidParameter('channel_id', `channel ${channelId} does not exist`);
    }
    await trx
      .insertInto('incidents')
      .values({
        incident_id: incidentId,
        account_id: actor.accountId,
        channel_id: channelId,
        integration_id: 0,
        integration_ids: [],
        dedup_key: '',
        equals_md5: '',
        group_key: null,
        group_method: 'n',
        title,
        description: input.description ?? '',
        incident_severity: input.incident_severity,
        incident_status: input.incident_severity,
        progress: 'Triggered',
        start_time: now,
        last_time: now,
        creator_id: actor.memberId,
        ever_muted: false,
        last_merge_time: 0,
        labels: '{}',
        fields: '{}',
        images: '[]',
        responders: '[]',
        assigned_to: null,
        alert_cnt: 0,
        active_alert_cnt: 0,
        alert_event_cnt: 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
    // Due for escalation: the engine takes it now rather than at its next tick.
    requestEngineCycle();
    await addFeedEntries(trx, [
      byActor(actor, nowMs, {
        incidentId,
        type: 'i_new',
        detail: { severity: input.incident_severity, title, person_id: actor.memberId },
      }),
    ]);
    // Assigned at creation: paged now, and the engine does not start the channel's own escalation.
    if (input.assigned_to) {
      const incidents = await lockIncidents(trx, actor.accountId, [incidentId]);
      await applyAssignment(
        trx,
        actor,
        incidents,
        input.assigned_to,
        nowMs,
        deliveryCapabilities(deps.config),
      );
    }
  });
  return { incident_id: incidentId, title };
}
