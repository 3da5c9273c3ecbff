import { sql } from 'kysely';
import Type from 'typebox';
import { ObjectId } from '../../alerts/alerts.schemas.ts';
import type { AppDeps } from '../../http/app.ts';
import { type Api, openApi } from '../../http/route.ts';
import { notFound } from '../../shared/app-error.ts';
import { loadIncidentContext, toIncidentInfo } from '../incidents.mapper.ts';
import { findIncident, getIncidents } from '../incidents.query.ts';
import { IncidentInfo } from '../incidents.schemas.ts';
import { type Comparable, similarity } from './similarity.ts';

/** Per token (title word or label pair), the most recently closed incidents read as candidates. */
const PER_TOKEN = 50;
const LABEL = 'label:';

/** Tokens as the index keeps them, split back into title words and label pairs. */
function comparable(tokens: readonly string[], channelId: number): Comparable {
  return {
    words: tokens.filter((t) => !t.startsWith(LABEL)),
    pairs: tokens.filter((t) => t.startsWith(LABEL)),
    channelId,
  };
}
/** Comments shown per past incident: the latest, newest first. */
const COMMENTS = 5;

const PastListRequest = Type.Object({
  incident_id: ObjectId,
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  /** Sent by Flashduty's Go SDK; the list is one ranked page, so only 1 has items. */
  p: Type.Optional(Type.Integer({ minimum: 0 })),
});

const PastItem = Type.Object({
  ...IncidentInfo.properties,
  score: Type.Number(),
  // Not in the documents: the parts of the score, and how the incident was resolved.
  similarity: Type.Object({ title: Type.Number(), labels: Type.Number(), channel: Type.Number() }),
  comments: Type.Array(
    Type.Object({ person_id: Type.Integer(), comment: Type.String(), created_at: Type.Integer() }),
  ),
});

const PastListResponse = Type.Object({ items: Type.Array(PastItem), total: Type.Integer() });

/**
 * /incident/past/list: the closed incidents of the account most similar to one incident, best
 * first (docs/incidents.md, "Similar past incidents"). Candidates come from the token index of
 * migration 0052 read in index order, so the cost is bounded by the incident's tokens (at most 64)
 * times PER_TOKEN, not by the account's history.
 */
export function registerPastIncidentRoutes(app: Api, deps: AppDeps): void {
  const { db, config } = deps;
  openApi(
    app,
    '/incident/past/list',
    {
      tag: 'Incidents',
      summary: 'Similar past incidents',
      permission: 'incidents.read',
      input: PastListRequest,
      data: PastListResponse,
    },
    async ({ actor, input }) => {
      const accountId = actor.accountId;
      const incident = await findIncident(db.q, accountId, input.incident_id);
      if (!incident) throw notFound(`incident ${input.incident_id}`);
      const limit = input.limit || 5;
      if ((input.p ?? 1) > 1) return { items: [], total: 0 };

      const { tokens } = await sql<{ tokens: string[] }>`
        select vigil_title_tokens(${incident.title}) || vigil_label_tokens(${JSON.stringify(incident.labels)}::jsonb) as tokens`
        .execute(db.q)
        .then((r) => r.rows[0]!);
      if (tokens.length === 0) return { items: [], total: 0 };
      // Per token, in index order, the most recently closed incidents that have it; then every
      // token of those candidates, to score them.
      const { rows: candidates } = await sql<{
        incident_id: string;
        channel_id: number;
        close_time: number;
        tokens: string[];
      }>`
        with c as (
          select distinct c.incident_id from unnest(${tokens}::text[]) as w(token)
          cross join lateral (
            select p.incident_id from incident_past_tokens p
            where p.account_id = ${accountId} and p.token = w.token
            order by p.close_time desc, p.incident_id desc
            limit ${PER_TOKEN}
          ) c
          where c.incident_id <> ${incident.incident_id}
        )
        select p.incident_id, min(p.channel_id) as channel_id, max(p.close_time) as close_time,
               array_agg(p.token) as tokens
        from c join incident_past_tokens p on p.incident_id = c.incident_id
        group by p.incident_id`.execute(db.q);
      const current = comparable(tokens, incident.channel_id);
      const ranked = candidates
        .flatMap((row) => {
          const s = similarity(current, comparable(row.tokens, Number(row.channel_id)));
          return s ? [{ id: row.incident_id, closeTime: Number(row.close_time), s }] : [];
        })
        .sort((a, b) => b.s.score - a.s.score || b.closeTime - a.closeTime || (a.id < b.id ? 1 : -1))
        .slice(0, limit);
      const found = new Map(
        (
          await getIncidents(
            db.q,
            accountId,
            ranked.map((r) => r.id),
          )
        ).map((row) => [row.incident_id, row]),
      );
      const rows = ranked.flatMap(({ id }) => (found.has(id) ? [found.get(id)!] : []));
      const [context, comments] = await Promise.all([
        loadIncidentContext(db.q, accountId, rows, config.publicUrl, { frequencies: false }),
        commentsOf(
          deps,
          accountId,
          rows.map((r) => r.incident_id),
        ),
      ]);
      const items = ranked.flatMap(({ id, s }) => {
        const row = found.get(id);
        if (!row) return [];
        return [
          {
            ...toIncidentInfo(row, context),
            score: s.score,
            similarity: { title: s.title, labels: s.labels, channel: s.channel },
            comments: comments.get(id) ?? [],
          },
        ];
      });
      return { items, total: items.length };
    },
  );
}

/** The latest comments of each incident, newest first. */
async function commentsOf(deps: AppDeps, accountId: number, incidentIds: string[]) {
  const out = new Map<string, { person_id: number; comment: string; created_at: number }[]>();
  if (incidentIds.length === 0) return out;
  const rows = await deps.db.q
    .selectFrom('feed_entries')
    .select(['incident_id', 'detail', 'creator_id', 'created_at'])
    .where('account_id', '=', accountId)
    .where('incident_id', 'in', incidentIds)
    .where('type', '=', 'i_comm')
    .orderBy('created_at', 'desc')
    .execute();
  for (const row of rows) {
    const list = out.get(row.incident_id!) ?? [];
    if (list.length >= COMMENTS) continue;
    const detail = row.detail as { comment?: unknown; person_id?: unknown };
    list.push({
      person_id: typeof detail.person_id === 'number' ? detail.person_id : row.creator_id,
      comment: typeof detail.comment === 'string' ? detail.comment : '',
      created_at: Math.floor(row.created_at / 1000),
    });
    out.set(row.incident_id!, list);
  }
  return out;
}
