import type { Actor } from '../../accounts/permissions.ts';
import type { Db } from '../../db/db.ts';
import { storedImSettings } from '../../integrations/im-settings.ts';
import { invalidParameter, notFound } from '../../shared/app-error.ts';
import type { Clock } from '../../shared/clock.ts';
import { readResponders } from '../actions/responders.ts';
import { addFeedEntries } from '../feed.store.ts';
import { findIncident } from '../incidents.query.ts';
import { channelName, type SlackClient, shareLink, slackCall } from './slack.ts';

/*
 * War rooms (docs/war-rooms.md): a Slack channel opened for an incident through an `im.slack`
 * integration, with its responders (and, when asked, its observers) invited, a summary posted in
 * it, and its opening and closing on the incident's timeline (i_wr_create, i_wr_delete). A room is
 * stored only once Slack has done everything; if a later step fails the channel is archived again.
 */

export type WarRoomDeps = { db: Db; clock: Clock; publicUrl: string; slack: SlackClient };

type Q = Db['q'];

async function slackIntegration(q: Q, accountId: number, integrationId: number) {
  const row = await q
    .selectFrom('integrations')
    .select(['integration_id', 'plugin_type', 'settings'])
    .where('account_id', '=', accountId)
    .where('integration_id', '=', integrationId)
    .where('plugin_type', '=', 'im.slack')
    .where('status', '=', 'enabled')
    .executeTakeFirst();
  if (!row) {
    throw invalidParameter(
      'integration_id',
      `integration ${integrationId} is not an enabled Slack integration`,
    );
  }
  return { ...row, token: storedImSettings(row.settings).bot_token };
}

async function liveIncident(q: Q, accountId: number, incidentId: string) {
  const incident = await findIncident(q, accountId, incidentId);
  if (!incident) throw notFound(`incident ${incidentId}`);
  return incident;
}

/**
 * The incident's observers: members who acted on its timeline (commented, acknowledged, were
 * assigned and handed it on…) and are not among its current responders.
 */
async function observerIds(q: Q, accountId: number, incident: { incident_id: string; responders: unknown }) {
  const responders = new Set(readResponders(incident.responders).map((r) => r.person_id));
  const rows = await q
    .selectFrom('feed_entries')
    .select('creator_id')
    .distinct()
    .where('account_id', '=', accountId)
    .where('incident_id', '=', incident.incident_id)
    .where('creator_id', '>', 0)
    .execute();
  return rows.map((r) => Number(r.creator_id)).filter((id) => !responders.has(id));
}

/** The account's members among `ids` with their e-mail; an id of `field` that is not one is refused. */
async function membersOf(q: Q, accountId: number, ids: number[], named: number[] = [], field = 'member_ids') {
  const all = [...new Set([...ids, ...named])];
  const members = all.length
    ? await q
        .selectFrom('members')
        .select(['member_id', 'member_name', 'email'])
        .where('account_id', '=', accountId)
        .where('member_id', 'in', all)
        .where('status', '!=', 'deleted')
        .orderBy('member_id')
        .execute()
    : [];
  const known = new Set(members.map((m) => Number(m.member_id)));
  named.forEach((id, i) => {
    if (!known.has(id)) throw invalidParameter(`${field}[${i}]`, `member ${id} does not exist`);
  });
  return members;
}

/** Looks the members up in Slack by e-mail and invites those found; one without a Slack account is left out. */
async function inviteMembers(slack: SlackClient, token: string, channelId: string, emails: string[]) {
  const userIds: string[] = [];
  for (const email of emails) {
    if (!email) continue;
    const found = await slackCall(slack, token, 'users.lookupByEmail', { email }, ['users_not_found']);
    const user = found.user as { id?: string } | undefined;
    if (found.ok && user?.id) userIds.push(user.id);
  }
  if (userIds.length === 0) return;
  await slackCall(slack, token, 'conversations.invite', { channel: channelId, users: userIds.join(',') }, [
    'already_in_channel',
  ]);
}

export async function createWarRoom(
  deps: WarRoomDeps,
  actor: Actor,
  input: { incident_id: string; integration_id: number; member_ids?: number[]; add_observers?: boolean },
) {
  const q = deps.db.q;
  const incident = await liveIncident(q, actor.accountId, input.incident_id);
  const integration = await slackIntegration(q, actor.accountId, input.integration_id);
  const existing = await q
    .selectFrom('war_rooms')
    .select('chat_id')
    .where('account_id', '=', actor.accountId)
    .where('incident_id', '=', incident.incident_id)
    .where('integration_id', '=', integration.integration_id)
    .executeTakeFirst();
  if (existing) {
    throw invalidParameter(
      'integration_id',
      `the incident already has a war room there (${existing.chat_id})`,
    );
  }
  const others = input.add_observers ? await observerIds(q, actor.accountId, incident) : [];
  const responders = readResponders(incident.responders).map((r) => r.person_id);
  const members = await membersOf(q, actor.accountId, [...responders, ...others], input.member_ids);

  const token = integration.token;
  const created = await slackCall(deps.slack, token, 'conversations.create', {
    name: channelName(incident.incident_id, incident.title),
    is_private: 'false',
  });
  const channel = created.channel as { id: string; name: string };
  try {
    await inviteMembers(
      deps.slack,
      token,
      channel.id,
      members.map((m) => m.email),
    );
    const link = `${deps.publicUrl}/incident/detail/${incident.incident_id}`;
    await slackCall(deps.slack, token, 'chat.postMessage', {
      channel: channel.id,
      text: `War room for incident "${incident.title}" (${incident.incident_severity}, ${incident.incident_status}). ${link}`,
      unfurl_links: 'false',
    });
  } catch (error) {
    // Nothing half-made: the channel goes back to Slack's archive; its own failure changes nothing.
    await slackCall(deps.slack, token, 'conversations.archive', { channel: channel.id }).catch(
      () => undefined,
    );
    throw error;
  }
  const nowMs = deps.clock.nowMs();
  await q.transaction().execute(async (trx) => {
    await trx
      .insertInto('war_rooms')
      .values({
        account_id: actor.accountId,
        incident_id: incident.incident_id,
        integration_id: integration.integration_id,
        plugin_type: integration.plugin_type,
        chat_id: channel.id,
        chat_name: channel.name,
        created_by: actor.memberId,
        created_at: Math.floor(nowMs / 1000),
      })
      .execute();
    await addFeedEntries(trx, [
      {
        accountId: actor.accountId,
        incidentId: incident.incident_id,
        type: 'i_wr_create',
        creatorId: actor.memberId,
        atMs: nowMs,
        detail: {
          integration_id: integration.integration_id,
          plugin_type: integration.plugin_type,
          chat_id: channel.id,
          chat_name: channel.name,
          share_link: shareLink(channel.id),
        },
      },
    ]);
  });
  return { chat_id: channel.id, chat_name: channel.name, share_link: shareLink(channel.id) };
}

export async function listWarRooms(
  deps: WarRoomDeps,
  actor: Actor,
  input: { incident_id: string; integration_id?: number },
) {
  const incident = await liveIncident(deps.db.q, actor.accountId, input.incident_id);
  let query = deps.db.q
    .selectFrom('war_rooms')
    .selectAll()
    .where('account_id', '=', actor.accountId)
    .where('incident_id', '=', incident.incident_id);
  if (input.integration_id !== undefined) query = query.where('integration_id', '=', input.integration_id);
  const rows = await query.orderBy('created_at').orderBy('integration_id').execute();
  return {
    items: rows.map((r) => ({
      account_id: Number(r.account_id),
      integration_id: Number(r.integration_id),
      created_by: Number(r.created_by),
      chat_id: r.chat_id,
      incident_id: r.incident_id,
      status: r.status,
      created_at: Number(r.created_at),
      plugin_type: r.plugin_type,
    })),
  };
}

/** The room as Slack has it now; `{}` when Slack no longer has it (deleted or archived there). */
export async function warRoomDetail(
  deps: WarRoomDeps,
  actor: Actor,
  input: { integration_id: number; chat_id: string },
) {
  const room = await deps.db.q
    .selectFrom('war_rooms')
    .select('chat_id')
    .where('account_id', '=', actor.accountId)
    .where('integration_id', '=', input.integration_id)
    .where('chat_id', '=', input.chat_id)
    .executeTakeFirst();
  if (!room) throw notFound(`war room ${input.chat_id}`);
  const integration = await slackIntegration(deps.db.q, actor.accountId, input.integration_id);
  const info = await slackCall(
    deps.slack,
    integration.token,
    'conversations.info',
    { channel: room.chat_id },
    ['channel_not_found'],
  );
  const channel = info.channel as { id: string; name: string; is_archived?: boolean } | undefined;
  if (!info.ok || !channel || channel.is_archived) return {};
  return { chat_id: channel.id, chat_name: channel.name, share_link: shareLink(channel.id) };
}

/** Archives the room's channel (already gone or archived in Slack counts as done) and removes the room. */
export async function deleteWarRoom(
  deps: WarRoomDeps,
  actor: Actor,
  input: { incident_id: string; integration_id: number },
) {
  const q = deps.db.q;
  const incident = await liveIncident(q, actor.accountId, input.incident_id);
  const room = await q
    .selectFrom('war_rooms')
    .selectAll()
    .where('account_id', '=', actor.accountId)
    .where('incident_id', '=', incident.incident_id)
    .where('integration_id', '=', input.integration_id)
    .executeTakeFirst();
  if (!room)
    throw notFound(`war room of incident ${input.incident_id} in integration ${input.integration_id}`);
  const integration = await slackIntegration(q, actor.accountId, input.integration_id);
  await slackCall(deps.slack, integration.token, 'conversations.archive', { channel: room.chat_id }, [
    'already_archived',
    'channel_not_found',
  ]);
  await q.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom('war_rooms')
      .where('account_id', '=', actor.accountId)
      .where('incident_id', '=', room.incident_id)
      .where('integration_id', '=', room.integration_id)
      .executeTakeFirst();
    if (gone.numDeletedRows === 0n) return;
    await addFeedEntries(trx, [
      {
        accountId: actor.accountId,
        incidentId: room.incident_id,
        type: 'i_wr_delete',
        creatorId: actor.memberId,
        atMs: deps.clock.nowMs(),
        detail: {
          integration_id: Number(room.integration_id),
          chat_id: room.chat_id,
          chat_name: room.chat_name,
        },
      },
    ]);
  });
  return {};
}

async function roomOf(q: Q, accountId: number, integrationId: number, chatId: string) {
  const room = await q
    .selectFrom('war_rooms')
    .select(['chat_id', 'incident_id'])
    .where('account_id', '=', accountId)
    .where('integration_id', '=', integrationId)
    .where('chat_id', '=', chatId)
    .executeTakeFirst();
  if (!room) throw notFound(`war room ${chatId}`);
  return room;
}

/** Legacy /incident/war-room/add-member: invites more of the account's members to a room. */
export async function addWarRoomMembers(
  deps: WarRoomDeps,
  actor: Actor,
  input: { integration_id: number; chat_id: string; member_ids: number[] },
) {
  const q = deps.db.q;
  const room = await roomOf(q, actor.accountId, input.integration_id, input.chat_id);
  const integration = await slackIntegration(q, actor.accountId, input.integration_id);
  const members = await membersOf(q, actor.accountId, [], input.member_ids);
  await inviteMembers(
    deps.slack,
    integration.token,
    room.chat_id,
    members.map((m) => m.email),
  );
  return {};
}

/** Legacy /incident/war-room/default-observers: who `add_observers` would invite. */
export async function defaultObservers(deps: WarRoomDeps, actor: Actor, incidentId: string) {
  const incident = await liveIncident(deps.db.q, actor.accountId, incidentId);
  const ids = await observerIds(deps.db.q, actor.accountId, incident);
  const members = await membersOf(deps.db.q, actor.accountId, ids);
  return {
    observers: members.map((m) => ({
      account_id: actor.accountId,
      person_id: Number(m.member_id),
      person_name: m.member_name,
      email: m.email,
      as: 'observer',
    })),
  };
}
