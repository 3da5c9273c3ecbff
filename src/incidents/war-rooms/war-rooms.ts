import type { Actor } from '../../accounts/permissions.ts';
import type { Db } from '../../db/db.ts';
import {
  isImType,
  storedFeishuApp,
  storedSlackToken,
  storedWarRoomEnabled,
} from '../../integrations/im-settings.ts';
import { invalidParameter, notFound } from '../../shared/app-error.ts';
import type { Clock } from '../../shared/clock.ts';
import { readResponders } from '../actions/responders.ts';
import { addFeedEntries } from '../feed.store.ts';
import { findIncident } from '../incidents.query.ts';
import { type FeishuClient, feishuRooms } from './feishu.ts';
import type { ImRooms } from './im-rooms.ts';
import { type SlackClient, slackRooms } from './slack.ts';

/*
 * War rooms (docs/war-rooms.md): a group chat opened for an incident through an IM integration
 * (`im.slack` or `im.feishu`), with its responders (and, when asked, its observers) invited, a
 * summary posted in it, and its opening and closing on the incident's timeline (i_wr_create,
 * i_wr_delete). A room is stored only once the IM has done everything; if a later step fails the
 * chat is closed again.
 */

export type WarRoomDeps = {
  db: Db;
  clock: Clock;
  publicUrl: string;
  slack: SlackClient;
  feishu: FeishuClient;
};

type Q = Db['q'];

/**
 * An enabled IM integration of the account and its provider's rooms. Opening a room also needs
 * war rooms enabled there; reading, inviting to and closing an existing one does not.
 */
async function imIntegration(deps: WarRoomDeps, accountId: number, integrationId: number, opening = false) {
  const row = await deps.db.q
    .selectFrom('integrations')
    .select(['integration_id', 'plugin_type', 'settings'])
    .where('account_id', '=', accountId)
    .where('integration_id', '=', integrationId)
    .where('plugin_type', 'in', ['im.slack', 'im.feishu'])
    .where('status', '=', 'enabled')
    .executeTakeFirst();
  if (!row || !isImType(row.plugin_type) || (opening && !storedWarRoomEnabled(row.settings))) {
    throw invalidParameter(
      'integration_id',
      `integration ${integrationId} is not an enabled IM integration with war rooms`,
    );
  }
  const rooms: ImRooms =
    row.plugin_type === 'im.feishu'
      ? feishuRooms(deps.feishu, storedFeishuApp(row.settings))
      : slackRooms(deps.slack, storedSlackToken(row.settings));
  return { ...row, rooms };
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

const emailsOf = (members: { email: string }[]) => members.map((m) => m.email).filter((e) => e !== '');

export async function createWarRoom(
  deps: WarRoomDeps,
  actor: Actor,
  input: { incident_id: string; integration_id: number; member_ids?: number[]; add_observers?: boolean },
) {
  const q = deps.db.q;
  const incident = await liveIncident(q, actor.accountId, input.incident_id);
  const integration = await imIntegration(deps, actor.accountId, input.integration_id, true);
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

  const { rooms } = integration;
  const channel = await rooms.open(incident);
  try {
    await rooms.invite(channel.id, emailsOf(members));
    const link = `${deps.publicUrl}/incident/detail/${incident.incident_id}`;
    await rooms.post(
      channel.id,
      `War room for incident "${incident.title}" (${incident.incident_severity}, ${incident.incident_status}). ${link}`,
    );
  } catch (error) {
    // Nothing half-made: the chat is closed again; its own failure changes nothing.
    await rooms.close(channel.id).catch(() => undefined);
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
          share_link: rooms.link(channel.id),
        },
      },
    ]);
  });
  return { chat_id: channel.id, chat_name: channel.name, share_link: rooms.link(channel.id) };
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

/** The room as the IM has it now; `{}` when the IM no longer has it (deleted, archived or disbanded there). */
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
  const { rooms } = await imIntegration(deps, actor.accountId, input.integration_id);
  const chat = await rooms.find(room.chat_id);
  if (!chat) return {};
  return { chat_id: chat.id, chat_name: chat.name, share_link: rooms.link(chat.id) };
}

/** Closes the room's chat (already gone counts as done) and removes the room. */
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
  const { rooms } = await imIntegration(deps, actor.accountId, input.integration_id);
  await rooms.close(room.chat_id);
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
  const { rooms } = await imIntegration(deps, actor.accountId, input.integration_id);
  const members = await membersOf(q, actor.accountId, [], input.member_ids);
  await rooms.invite(room.chat_id, emailsOf(members));
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

/**
 * /datasource/im/war-room-enabled/list: the account's enabled IM integrations that host war rooms,
 * as the SDK reads them (`data_source_id`, `settings.war_room_enabled`); secrets are not shown.
 */
export async function listWarRoomIntegrations(deps: WarRoomDeps, actor: Actor) {
  const rows = await deps.db.q
    .selectFrom('integrations')
    .select(['integration_id', 'name', 'plugin_type', 'settings'])
    .where('account_id', '=', actor.accountId)
    .where('plugin_type', 'in', ['im.slack', 'im.feishu'])
    .where('status', '=', 'enabled')
    .orderBy('integration_id')
    .execute();
  return {
    items: rows
      .filter((r) => storedWarRoomEnabled(r.settings))
      .map((r) => ({
        data_source_id: Number(r.integration_id),
        integration_id: Number(r.integration_id),
        name: r.name,
        plugin_type: r.plugin_type,
        category: 'im',
        settings: { war_room_enabled: true },
      })),
  };
}
