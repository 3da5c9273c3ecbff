import type { Actor } from '../accounts/permissions.ts';
import { findChannel } from '../channels/channels.store.ts';
import type { Db } from '../db/db.ts';
import { resolvePeople } from '../notifications/preferences.service.ts';
import { deliveryCapabilities } from '../notifications/preferences.ts';
import { type FinalShift, finalShifts, type Window } from '../schedules/oncall.ts';
import { fromRow } from '../schedules/schedules.service.ts';
import { getSchedules } from '../schedules/schedules.store.ts';
import { notFound } from '../shared/app-error.ts';
import { listEscalationRules, teamMembers, toEscalationRule } from './escalation.store.ts';
import type { EscalateTarget } from './escalation.types.ts';
import { chatTarget, type Warning } from './notify-layer.ts';

/*
 * The heads-up before an incident (docs/escalation.md, "Heads-up"): which parts of the account's
 * escalation rules would reach nobody — people without a working contact method, empty teams,
 * schedules with nobody on call (and when, over the coming hours), addresses with no SMTP, chats
 * Vigil cannot deliver to. Peers skip such people silently at 3 a.m.; Vigil tells in advance.
 */

type Deps = {
  db: Db;
  clock: { nowMs(): number };
  config: { smtpUrl?: string | undefined; phoneProviderUrl?: string | undefined };
};

export type Gap = { start: number; end: number };

/** The parts of `window` no shift with someone in `roleIds` covers (no roles: anyone). Pure. */
export function coverageGaps(
  shifts: readonly FinalShift[],
  roleIds: readonly number[],
  window: Window,
): Gap[] {
  const covered = shifts
    .filter((s) =>
      s.group.members.some(
        (m) => m.person_ids.length > 0 && (roleIds.length === 0 || roleIds.includes(m.role_id)),
      ),
    )
    .map((s) => ({ start: Math.max(s.start, window.start), end: Math.min(s.end, window.end) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const gaps: Gap[] = [];
  let at = window.start;
  for (const s of covered) {
    if (s.start > at) gaps.push({ start: at, end: s.start });
    at = Math.max(at, s.end);
  }
  if (at < window.end) gaps.push({ start: at, end: window.end });
  return gaps;
}

/** Who the shifts put on call (in `roleIds`; none: any role) at some moment of `window`. Pure. */
function onCallPeople(shifts: readonly FinalShift[], roleIds: readonly number[], window: Window): number[] {
  const people = new Set<number>();
  for (const shift of shifts) {
    if (shift.end <= window.start || shift.start >= window.end) continue;
    for (const member of shift.group.members) {
      if (roleIds.length > 0 && !roleIds.includes(member.role_id)) continue;
      for (const id of member.person_ids) people.add(id);
    }
  }
  return [...people];
}

export type HeadsUpItem = {
  channel_id: number;
  rule_id: string;
  rule_name: string;
  layer_idx: number;
  warnings: (Warning | { kind: 'schedule_gap'; schedule_id: number; role_ids: number[]; gaps: Gap[] })[];
};

async function layerWarnings(
  deps: Deps,
  accountId: number,
  target: EscalateTarget,
  window: Window,
): Promise<HeadsUpItem['warnings']> {
  const q = deps.db.q;
  const capabilities = deliveryCapabilities(deps.config);
  const found: HeadsUpItem['warnings'] = [];
  // Everyone the target resolves to over the window: its people, its teams' members and whoever
  // any of its schedules puts on call (in the roles it names) — each is paged on `target.by`.
  const people = new Set(target.person_ids);
  for (const [teamId, members] of await teamMembers(q, accountId, target.team_ids)) {
    if (members.length === 0) found.push({ kind: 'team_empty', team_id: teamId });
    for (const id of members) people.add(id);
  }
  const entries = Object.entries(target.schedule_to_role_ids);
  if (entries.length > 0) {
    const rows = await getSchedules(
      q,
      accountId,
      entries.map(([id]) => Number(id)),
    );
    for (const [id, roles] of entries) {
      const row = rows.find((r) => Number(r.schedule_id) === Number(id));
      if (!row) {
        found.push({ kind: 'schedule_missing', schedule_id: Number(id) });
        continue;
      }
      const { time_zone: zone, layers } = fromRow(row);
      const shifts = finalShifts(zone, layers, window);
      for (const id of onCallPeople(shifts, roles, window)) people.add(id);
      const gaps = coverageGaps(shifts, roles, window);
      if (gaps.length > 0)
        found.push({ kind: 'schedule_gap', schedule_id: Number(id), role_ids: roles, gaps });
    }
  }
  const warnings: HeadsUpItem['warnings'] = [];
  if (target.by && people.size > 0) {
    for (const person of await resolvePeople(
      q,
      accountId,
      [...people],
      'Critical',
      target.by,
      capabilities,
    )) {
      if (person.unreachable) {
        warnings.push({
          kind: 'person_unreachable',
          person_id: person.personId,
          reasons: person.skipped.map((s) => `${s.channel}: ${s.reason}`),
        });
      }
    }
  }
  warnings.push(...found);
  if (target.emails.length > 0 && !capabilities.email) {
    warnings.push({ kind: 'email_unconfigured', emails: [...target.emails] });
  }
  for (const webhook of target.webhooks ?? []) {
    const chat = chatTarget(webhook);
    if ('reason' in chat)
      warnings.push({ kind: 'chat_undeliverable', type: webhook.type, reason: chat.reason });
  }
  return warnings;
}

/** The warnings of every enabled rule of the account (or of one channel), layer by layer, over the next `hours`. */
export async function headsUp(
  deps: Deps,
  actor: Actor,
  input: { channel_id?: number | undefined; hours?: number | undefined },
): Promise<{ items: HeadsUpItem[]; window: Window }> {
  if (input.channel_id !== undefined && !(await findChannel(deps.db.q, actor.accountId, input.channel_id))) {
    throw notFound(`channel ${input.channel_id}`);
  }
  const start = Math.floor(deps.clock.nowMs() / 1000);
  const window = { start, end: start + (input.hours ?? 168) * 3600 };
  const rules = (
    await listEscalationRules(deps.db.q, { accountId: actor.accountId, channelId: input.channel_id })
  )
    .map(toEscalationRule)
    .filter((r) => r.status === 'enabled');
  const items: HeadsUpItem[] = [];
  for (const rule of rules) {
    for (const [layerIdx, layer] of rule.layers.entries()) {
      const warnings = await layerWarnings(deps, actor.accountId, layer.target, window);
      if (warnings.length > 0) {
        items.push({
          channel_id: rule.channel_id,
          rule_id: rule.rule_id,
          rule_name: rule.rule_name,
          layer_idx: layerIdx,
          warnings,
        });
      }
    }
  }
  return { items, window };
}
