import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Actor } from '../../accounts/permissions.ts';
import { correlationSettings, relatedChanges } from '../../changes/related-changes.ts';
import type { Db } from '../../db/db.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { PostMortemStatus, PostMortemsTable } from '../../db/schema.ts';
import { invalidParameter, notFound } from '../../shared/app-error.ts';
import { type Clock, nowSeconds } from '../../shared/clock.ts';
import { listFeedEntries } from '../feed.query.ts';
import { getIncidents } from '../incidents.query.ts';
import type { IncidentRow } from '../incidents.store.ts';
import {
  MAX_TITLE,
  type PostMortemInitRequest,
  type PostMortemItem,
  type PostMortemListRequest,
  type PostMortemMeta,
} from './post-mortems.schemas.ts';
import {
  basicsOf,
  defaultTitle,
  type FactChange,
  type FactEntry,
  type FactIncident,
  prefill,
} from './prefill.ts';
import { DEFAULT_TEMPLATE_ID, findTemplate } from './templates.ts';

/** /incident/post-mortem/*: reports over one or more incidents of the caller's account (docs/post-mortems.md). */

type Deps = { db: Db; clock: Clock; config: { publicUrl: string } };
type Row = Selectable<PostMortemsTable>;
type Executor = Db['q'];

/** The timeline entries read per incident, and the related changes named per incident. */
const ENTRIES_PER_INCIDENT = 200;
const CHANGES_PER_INCIDENT = 3;

/** Flashduty's id: a hash of the account and the set of incidents, so a set has one report. */
function postMortemId(accountId: number, incidentIds: readonly string[]): string {
  const set = [...new Set(incidentIds.map((id) => id.toLowerCase()))].sort();
  return createHash('md5')
    .update(`${accountId}:${set.join(',')}`)
    .digest('hex');
}

async function find(q: Executor, accountId: number, postMortemId: string): Promise<Row> {
  const row = await q
    .selectFrom('post_mortems')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('post_mortem_id', '=', postMortemId.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound(`post-mortem ${postMortemId}`);
  return row;
}

async function channelsOf(q: Executor, accountId: number, channelIds: readonly number[]) {
  const ids = [...new Set(channelIds)].filter((id) => id > 0);
  const rows =
    ids.length === 0
      ? []
      : await q
          .selectFrom('channels')
          .select(['channel_id', 'channel_name', 'team_id', 'is_private'])
          .where('account_id', '=', accountId)
          .where('channel_id', 'in', ids)
          .execute();
  return new Map(rows.map((row) => [row.channel_id, row]));
}

async function memberNames(q: Executor, accountId: number, memberIds: Iterable<number>) {
  const ids = [...new Set(memberIds)].filter((id) => id > 0);
  const rows =
    ids.length === 0
      ? []
      : await q
          .selectFrom('members')
          .select(['member_id', 'member_name', 'email'])
          .where('account_id', '=', accountId)
          .where('member_id', 'in', ids)
          .execute();
  return new Map(rows.map((row) => [row.member_id, row]));
}

async function toMetas(q: Executor, rows: readonly Row[]): Promise<PostMortemMeta[]> {
  const first = rows[0];
  if (!first) return [];
  const channels = await channelsOf(
    q,
    first.account_id,
    rows.map((row) => row.channel_id),
  );
  return rows.map((row) => {
    const channel = channels.get(row.channel_id);
    return {
      account_id: row.account_id,
      title: row.title,
      status: row.status,
      post_mortem_id: row.post_mortem_id,
      template_id: row.template_id,
      incident_ids: row.incident_ids,
      media_count: 0,
      author_ids: row.author_ids.map(Number),
      team_id: row.team_id,
      channel_id: row.channel_id,
      is_private: channel?.is_private ?? false,
      channel_name: channel?.channel_name ?? '',
      created_at_seconds: row.created_at,
      updated_at_seconds: row.updated_at,
    };
  });
}

async function toItem(q: Executor, row: Row): Promise<PostMortemItem> {
  const [meta] = await toMetas(q, [row]);
  const members = await memberNames(
    q,
    row.account_id,
    row.basics.responders.map((r) => r.person_id),
  );
  return {
    meta: meta!,
    basics: {
      ...row.basics,
      responders: row.basics.responders.map((r) => {
        const member = members.get(r.person_id);
        return member ? { ...r, person_name: member.member_name, email: member.email } : r;
      }),
    },
    content: { content: row.content },
    follow_ups: row.follow_ups,
  };
}

function storedResponders(row: IncidentRow): FactIncident['responders'] {
  const list = Array.isArray(row.responders) ? row.responders : [];
  return list.flatMap((r) => {
    const x = r as { person_id?: unknown; assigned_at?: unknown; acknowledged_at?: unknown };
    if (typeof x.person_id !== 'number') return [];
    return [
      {
        person_id: x.person_id,
        assigned_at: typeof x.assigned_at === 'number' ? x.assigned_at : 0,
        acknowledged_at: typeof x.acknowledged_at === 'number' ? x.acknowledged_at : 0,
      },
    ];
  });
}

/** Everything the template is filled with: the incidents, their timelines, names and changes. */
async function gatherFacts(deps: Deps, accountId: number, rows: readonly IncidentRow[]) {
  const q = deps.db.q;
  const channels = await channelsOf(
    q,
    accountId,
    rows.map((row) => row.channel_id),
  );
  const incidents: FactIncident[] = rows.map((row) => ({
    incident_id: row.incident_id,
    title: row.title,
    incident_severity: row.incident_severity,
    progress: row.progress,
    channel_name: channels.get(row.channel_id)?.channel_name ?? '',
    start_time: row.start_time,
    close_time: row.progress === 'Closed' ? row.close_time || row.end_time : 0,
    detail_url: `${deps.config.publicUrl}/incident/detail/${row.incident_id}`,
    responders: storedResponders(row),
  }));
  const timeline: FactEntry[] = [];
  for (const row of rows) {
    const entries = await listFeedEntries(
      q,
      { accountId, incidentId: row.incident_id },
      { types: undefined, asc: true, offset: 0, limit: ENTRIES_PER_INCIDENT - 1 },
    );
    for (const e of entries) {
      timeline.push({
        incident_id: row.incident_id,
        type: e.type,
        creator_id: e.creator_id,
        detail: e.detail,
        created_at: e.created_at,
      });
    }
  }
  timeline.sort((a, b) => a.created_at - b.created_at);
  const settings = await correlationSettings(q, accountId);
  const changes = new Map<string, FactChange>();
  for (const row of rows) {
    const { ranked } = await relatedChanges(q, row, settings);
    for (const { change } of ranked.slice(0, CHANGES_PER_INCIDENT)) {
      changes.set(change.change_id, {
        title: change.title,
        status: change.change_status,
        start_time: change.start_time,
        link: change.link,
      });
    }
  }
  const basics = basicsOf(incidents, nowSeconds(deps.clock));
  const members = await memberNames(q, accountId, [
    ...basics.responders.map((r) => r.person_id),
    ...timeline.map((e) => e.creator_id),
    ...timeline.flatMap((e) => (Array.isArray(e.detail.person_ids) ? (e.detail.person_ids as number[]) : [])),
  ]);
  const names = new Map([...members].map(([id, m]) => [id, m.member_name || m.email]));
  return { incidents, basics, names, timeline, changes: [...changes.values()] };
}

/**
 * /incident/post-mortem/init: a draft for these incidents from a template, prefilled. The same set
 * of incidents has one report (its id is derived from them): asking again returns that report as
 * it stands.
 */
export async function initPostMortem(deps: Deps, actor: Actor, input: PostMortemInitRequest) {
  const templateId = input.template_id || DEFAULT_TEMPLATE_ID;
  const template = findTemplate(templateId);
  if (!template) throw invalidParameter('template_id', `unknown template ${JSON.stringify(templateId)}`);
  const wanted = [...new Set(input.incident_ids.map((id) => id.toLowerCase()))];
  const id = postMortemId(actor.accountId, wanted);
  const existing = await deps.db.q
    .selectFrom('post_mortems')
    .selectAll()
    .where('account_id', '=', actor.accountId)
    .where('post_mortem_id', '=', id)
    .executeTakeFirst();
  if (existing) return toItem(deps.db.q, existing);

  const found = new Map(
    (await getIncidents(deps.db.q, actor.accountId, wanted)).map((r) => [r.incident_id, r]),
  );
  const missing = wanted.find((incidentId) => !found.has(incidentId));
  if (missing) throw notFound(`incident ${missing}`);
  const rows = wanted.map((incidentId) => found.get(incidentId)!);
  const facts = await gatherFacts(deps, actor.accountId, rows);
  const channelId = rows[0]!.channel_id;
  const channel = (await channelsOf(deps.db.q, actor.accountId, [channelId])).get(channelId);
  const now = nowSeconds(deps.clock);
  try {
    await deps.db.q
      .insertInto('post_mortems')
      .values({
        post_mortem_id: id,
        account_id: actor.accountId,
        title: defaultTitle(facts.incidents, MAX_TITLE),
        template_id: template.templateId,
        incident_ids: wanted,
        author_ids: [actor.memberId],
        team_id: channel?.team_id ?? 0,
        channel_id: channelId,
        basics: JSON.stringify(facts.basics),
        content: prefill(template.markdown, facts),
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (error) {
    // Another request created the same set's report first: answer with it.
    if (!isUniqueViolation(error)) throw error;
  }
  return toItem(deps.db.q, await find(deps.db.q, actor.accountId, id));
}

export async function postMortemInfo(deps: Deps, actor: Actor, postMortemId: string) {
  return toItem(deps.db.q, await find(deps.db.q, actor.accountId, postMortemId));
}

/** The cursor is the next page's number, opaque to clients. */
const cursorOf = (p: number) => Buffer.from(`p:${p}`).toString('base64url');
function pageOfCursor(cursor: string): number {
  const match = /^p:(\d{1,4})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw invalidParameter('search_after_ctx', 'is not a cursor this list returned');
  return Number(match[1]);
}

/** /incident/post-mortem/list: published reports unless `status` says otherwise (as documented). */
export async function listPostMortems(deps: Deps, actor: Actor, input: PostMortemListRequest) {
  const limit = input.limit || 20;
  const p = input.search_after_ctx ? pageOfCursor(input.search_after_ctx) : input.p || 1;
  if (p * limit > 10_000) throw invalidParameter('p', 'p × limit must not exceed 10000');
  const start = input.created_at_start_seconds;
  const end = input.created_at_end_seconds;
  if (start && end && end < start) {
    throw invalidParameter('created_at_end_seconds', 'must not be before created_at_start_seconds');
  }
  let query = deps.db.q
    .selectFrom('post_mortems')
    .where('account_id', '=', actor.accountId)
    .where('status', '=', input.status ?? 'published');
  if (input.team_ids?.length) query = query.where('team_id', 'in', input.team_ids);
  if (input.channel_ids?.length) query = query.where('channel_id', 'in', input.channel_ids);
  if (start) query = query.where('created_at', '>=', start);
  if (end) query = query.where('created_at', '<=', end);
  const orderBy = (input.order_by ?? input.orderby) === 'updated_at_seconds' ? 'updated_at' : 'created_at';
  const direction = input.asc ? 'asc' : 'desc';
  const [rows, count] = await Promise.all([
    query
      .selectAll()
      .orderBy(orderBy, direction)
      .orderBy('post_mortem_id', direction)
      .offset((p - 1) * limit)
      .limit(limit)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const total = Number(count.n);
  const hasNext = p * limit < total;
  return {
    items: await toMetas(deps.db.q, rows),
    total,
    has_next_page: hasNext,
    ...(hasNext ? { search_after_ctx: cursorOf(p + 1) } : {}),
  };
}

type Edit = { title?: string; content?: string; follow_ups?: string; status?: PostMortemStatus };

/**
 * One edit: the caller joins the authors. The title and body of a published report are read-only
 * until it is set back to drafting; its follow-ups can be edited in any status (as Flashduty's).
 */
export async function editPostMortem(deps: Deps, actor: Actor, postMortemId: string, edit: Edit) {
  await deps.db.q.transaction().execute(async (trx) => {
    const row = await find(trx, actor.accountId, postMortemId);
    if (row.status === 'published' && (edit.title !== undefined || edit.content !== undefined)) {
      throw invalidParameter('status', 'the post-mortem is published; set its status to drafting to edit it');
    }
    const authors = row.author_ids.map(Number);
    await trx
      .updateTable('post_mortems')
      .set({
        ...edit,
        author_ids: authors.includes(actor.memberId) ? authors : [...authors, actor.memberId],
        updated_at: nowSeconds(deps.clock),
      })
      .where('post_mortem_id', '=', row.post_mortem_id)
      .where('account_id', '=', actor.accountId)
      .execute();
  });
}

export async function deletePostMortem(deps: Deps, actor: Actor, postMortemId: string): Promise<void> {
  const row = await find(deps.db.q, actor.accountId, postMortemId);
  await deps.db.q
    .deleteFrom('post_mortems')
    .where('post_mortem_id', '=', row.post_mortem_id)
    .where('account_id', '=', actor.accountId)
    .execute();
}

/** The report as one Markdown document: title, status line, body, follow-ups. */
export async function exportPostMortem(deps: Deps, actor: Actor, postMortemId: string) {
  const row = await find(deps.db.q, actor.accountId, postMortemId);
  const authors = await memberNames(deps.db.q, actor.accountId, row.author_ids.map(Number));
  const byline = row.author_ids
    .map((id) => authors.get(Number(id))?.member_name || `member ${id}`)
    .join(', ');
  const parts = [
    `# ${row.title.replace(/\s+/g, ' ')}`,
    `_Status: ${row.status}. Authors: ${byline.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`)}._`,
    row.content.trim(),
  ];
  if (row.follow_ups.trim()) parts.push(`## Follow-ups\n\n${row.follow_ups.trim()}`);
  return { title: row.title, markdown: `${parts.join('\n\n')}\n` };
}
