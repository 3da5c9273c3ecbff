import type { Db } from '../db/db.ts';
import { type Frequency, loadFrequencies } from './frequency.query.ts';
import type { IncidentInfo } from './incidents.schemas.ts';
import type { IncidentRow } from './incidents.store.ts';
import { postMortemsOfIncidents } from './post-mortems/post-mortems.query.ts';
import {
  type AccountRef,
  loadAccountRef,
  loadRelated,
  type MemberRef,
  type Related,
} from './related.store.ts';

type Executor = Db['q'];

/** What turning incident rows into IncidentInfo needs besides the rows: one load per page. */
export type IncidentContext = Related & {
  publicUrl: string;
  account: AccountRef;
  /** By incident id, for the incidents that have a frequency (frequency.query.ts). */
  frequencies: ReadonlyMap<string, Frequency>;
  /** By incident id, when loaded (/incident/info): the post-mortem that covers it. */
  postMortems?: ReadonlyMap<string, string>;
};

/** A responder as stored in `incidents.responders`. */
type StoredResponder = { person_id: number; assigned_at?: number; acknowledged_at?: number; as?: string };

function storedResponders(row: IncidentRow): StoredResponder[] {
  return (Array.isArray(row.responders) ? row.responders : []).filter(
    (r): r is StoredResponder =>
      typeof r === 'object' && r !== null && typeof (r as StoredResponder).person_id === 'number',
  );
}

/** The members an incident names: creator, closer, owner, responders. */
function memberIdsOf(row: IncidentRow): number[] {
  return [row.creator_id, row.closer_id, row.owner_id, ...storedResponders(row).map((r) => r.person_id)];
}

/**
 * Loads, for a page of incidents of one account, the account, every channel, integration and
 * member they name (one query per kind) and their frequencies (one query).
 */
export async function loadIncidentContext(
  q: Executor,
  accountId: number,
  rows: readonly IncidentRow[],
  publicUrl: string,
  /** Without frequencies `frequency` is left out: for callers that do not show it (one query less). */
  options: { frequencies?: boolean; postMortems?: boolean } = {},
): Promise<IncidentContext> {
  const ids = rows.map((r) => r.incident_id);
  const [related, account, frequencies, postMortems] = await Promise.all([
    loadRelated(q, accountId, {
      channelIds: rows.map((r) => r.channel_id),
      integrationIds: rows.flatMap((r) => [r.integration_id, ...r.integration_ids]),
      memberIds: rows.flatMap(memberIdsOf),
    }),
    loadAccountRef(q, accountId),
    options.frequencies === false ? new Map<string, Frequency>() : loadFrequencies(q, accountId, ids),
    options.postMortems ? postMortemsOfIncidents(q, accountId, ids) : undefined,
  ]);
  return { ...related, account, frequencies, publicUrl, ...(postMortems ? { postMortems } : {}) };
}

/** A member's name and e-mail (the e-mail left out when the member has none). */
function personFields(member: MemberRef | undefined): { person_name: string; email?: string } {
  if (!member) return { person_name: '' };
  return member.email
    ? { person_name: member.member_name, email: member.email }
    : { person_name: member.member_name };
}

function personRef(id: number, context: IncidentContext) {
  return id > 0 ? { person_id: id, ...personFields(context.members.get(id)) } : undefined;
}

const ASSIGN_TYPES = new Set(['assign', 'reassign', 'escalate', 'reopen']);
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

/** The stored assignment in the documented shape: `{}` while unassigned; malformed parts left out. */
function assignedTo(stored: Record<string, unknown> | null): IncidentInfo['assigned_to'] {
  if (!stored || typeof stored !== 'object') return {};
  const out: IncidentInfo['assigned_to'] = {};
  const { person_ids, escalate_rule_id, escalate_rule_name, layer_idx, type, emails, assigned_at, id } =
    stored;
  if (Array.isArray(person_ids) && person_ids.length > 0) {
    out.person_ids = person_ids.filter((p): p is number => typeof p === 'number');
  }
  if (typeof escalate_rule_id === 'string' && OBJECT_ID.test(escalate_rule_id)) {
    out.escalate_rule_id = escalate_rule_id;
  }
  if (typeof escalate_rule_name === 'string') out.escalate_rule_name = escalate_rule_name;
  if (typeof layer_idx === 'number') out.layer_idx = layer_idx;
  if (typeof type === 'string' && ASSIGN_TYPES.has(type)) out.type = type;
  if (Array.isArray(emails) && emails.length > 0) {
    out.emails = emails.filter((e): e is string => typeof e === 'string');
  }
  if (typeof assigned_at === 'number') out.assigned_at = assigned_at;
  if (typeof id === 'string') out.id = id;
  return out;
}

/** Flashduty's short display id: the last 6 hex digits of the ObjectID, upper-cased (not unique). */
function incidentNum(incidentId: string): string {
  return incidentId.slice(-6).toUpperCase();
}

/**
 * An incident row in the API shape (IncidentInfo), with names and frequency from the context.
 * `frequency` is left out when the incident is neither rare nor frequent (the spec's enum has no
 * value for that).
 */
export function toIncidentInfo(row: IncidentRow, context: IncidentContext): IncidentInfo {
  const integrationIds =
    row.integration_ids.length > 0 ? row.integration_ids : row.integration_id > 0 ? [row.integration_id] : [];
  const integrationTypes = [
    ...new Set(
      integrationIds
        .map((id) => context.integrations.get(id)?.plugin_type)
        .filter((type): type is string => type !== undefined),
    ),
  ];
  const integrationType = context.integrations.get(row.integration_id)?.plugin_type ?? '';
  const channel = row.channel_id > 0 ? context.channels.get(row.channel_id) : undefined;
  const creator = personRef(row.creator_id, context);
  const closer = personRef(row.closer_id, context);
  const owner = personRef(row.owner_id, context);
  const frequency = context.frequencies.get(row.incident_id);
  return {
    incident_id: row.incident_id,
    account_id: row.account_id,
    channel_id: row.channel_id,
    integration_id: row.integration_id,
    integration_ids: integrationIds,
    integration_types: integrationTypes,
    integration_type: integrationType,
    dedup_key: row.dedup_key,
    equals_md5: row.equals_md5,
    start_time: row.start_time,
    end_time: row.end_time,
    last_time: row.last_time,
    ack_time: row.ack_time,
    close_time: row.close_time,
    creator_id: row.creator_id,
    closer_id: row.closer_id,
    owner_id: row.owner_id,
    ...(creator ? { creator } : {}),
    ...(closer ? { closer } : {}),
    ...(owner ? { owner } : {}),
    incident_status: row.incident_status,
    incident_severity: row.incident_severity,
    progress: row.progress,
    title: row.title,
    description: row.description,
    ai_summary: '',
    impact: row.impact,
    root_cause: row.root_cause,
    resolution: row.resolution,
    num: incidentNum(row.incident_id),
    ...(frequency ? { frequency } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
    deleted_at: row.deleted_at,
    snoozed_before: row.snoozed_before,
    group_method: row.group_method as IncidentInfo['group_method'],
    ever_muted: row.ever_muted,
    labels: row.labels,
    fields: row.fields,
    assigned_to: assignedTo(row.assigned_to),
    alert_cnt: row.alert_cnt,
    active_alert_cnt: row.active_alert_cnt,
    alert_event_cnt: row.alert_event_cnt,
    responders: storedResponders(row).map((r) => ({
      person_id: r.person_id,
      assigned_at: typeof r.assigned_at === 'number' ? r.assigned_at : 0,
      acknowledged_at: typeof r.acknowledged_at === 'number' ? r.acknowledged_at : 0,
      ...personFields(context.members.get(r.person_id)),
      ...(typeof r.as === 'string' ? { as: r.as } : {}),
    })),
    account_name: context.account.account_name,
    account_locale: context.account.locale,
    account_time_zone: context.account.time_zone,
    channel_name: channel?.channel_name ?? '',
    channel_status: channel?.status ?? '',
    detail_url: `${context.publicUrl}/incident/detail/${row.incident_id}`,
    silence_url: `${context.publicUrl}/channel/detail/${row.channel_id}?tab=alertSuppression&fromIncidentId=${row.incident_id}`,
    links: [],
    post_mortem_id: context.postMortems?.get(row.incident_id) ?? '',
    images: row.images.map((image) => ({
      src: image.src,
      ...(image.href ? { href: image.href } : {}),
      ...(image.alt ? { alt: image.alt } : {}),
    })),
    manual_overrides: row.manual_overrides,
    data_source_id: row.integration_id,
    data_source_ids: integrationIds,
    data_source_type: integrationType,
    data_source_types: integrationTypes,
  };
}
