import { finalShifts, type Layer } from '../../schedules/oncall.ts';
import { compareTimelines, type Timeline } from '../compare.ts';
import { fitName, hashOf, readTag, tagged } from '../marker.ts';
import type { DesiredSchedule, LayerDraft } from '../model.ts';
import type { PlanItem, ScheduleCheck } from '../run.ts';
import { listAll } from '../vigil-api.ts';
import { plannedId, record, type StageContext, write } from './context.ts';
import { resolveTeams, resolveUsers } from './resolve.ts';

/*
 * Schedules, exactly (docs/import.md, "Schedules"): the layers the source module built are written
 * as they are, people resolved to members; then who is on call in the source (its own final
 * schedule) is compared with Vigil's answer at every hand-off over the next weeks.
 */

type VigilSchedule = { schedule_id: number; schedule_name: string | null; description: string | null };

type ShiftOut = { start: number; end: number; group: { members: { person_ids: number[] }[] } };

const DAY = 86_400;

function layerBody(layer: LayerDraft, person: (id: string) => number) {
  return {
    layer_name: layer.layer_name.slice(0, 40),
    mode: layer.mode,
    groups: layer.groups.map((people) => ({
      group_name: '',
      members: people.length ? [{ role_id: 0, person_ids: people.map(person) }] : [],
    })),
    rotation_unit: layer.rotation_unit,
    rotation_value: layer.rotation_value,
    handoff_time: layer.handoff_time,
    layer_start: layer.layer_start,
    layer_end: layer.layer_end,
    restrict_mode: layer.restrict_mode,
    restrict_periods: layer.restrict_periods,
    cumulative: layer.cumulative,
  };
}

type LayerBody = ReturnType<typeof layerBody>;

/** Vigil's final schedule of the planned layers, by the same calculator the server runs. */
function plannedTimeline(
  zone: string,
  layers: LayerBody[],
  window: { start: number; end: number },
): Timeline {
  const calc: Layer[] = layers.map((l) => ({
    ...l,
    day_mask: [],
    mask_continuous_enabled: false,
    fair_rotation: false,
    groups: l.groups.map((g) => ({ group_name: g.group_name, members: g.members })),
  }));
  return finalShifts(zone, calc, window).map((s) => ({
    start: s.start,
    end: s.end,
    people: s.group.members.flatMap((m) => m.person_ids).map(String),
  }));
}

/** Vigil's stored answer (/schedule/info, at most 45 days a call). */
async function storedTimeline(ctx: StageContext, scheduleId: number, window: { start: number; end: number }) {
  const out: Timeline = [];
  for (let start = window.start; start < window.end; start += 28 * DAY) {
    const end = Math.min(window.end, start + 28 * DAY);
    const info = await ctx.api.call<{ final_schedule: { schedules: ShiftOut[] } }>('/schedule/info', {
      schedule_id: scheduleId,
      start,
      end,
    });
    for (const s of info.final_schedule.schedules) {
      out.push({
        start: s.start,
        end: s.end,
        people: s.group.members.flatMap((m) => m.person_ids).map(String),
      });
    }
  }
  return out;
}

async function check(
  ctx: StageContext,
  desired: DesiredSchedule,
  vigil: Timeline,
  checked: ScheduleCheck['checked'],
  window: { start: number; end: number },
  scheduleId?: number,
): Promise<void> {
  const shifts = await ctx.source.oncall(desired.source_id, window);
  const asSource = (memberId: string) =>
    ctx.refs.sourceOfMember.get(Number(memberId)) ?? `vigil member ${memberId}`;
  const source: Timeline = shifts.map((s) => ({ start: s.start, end: s.end, people: s.users }));
  const translated = vigil.map((s) => ({ ...s, people: s.people.map(asSource) }));
  const comparison = compareTimelines(source, translated, window);
  ctx.report.checks.push({
    source_id: desired.source_id,
    name: desired.name,
    ...(scheduleId !== undefined ? { schedule_id: scheduleId } : {}),
    checked,
    window,
    ...comparison,
  });
  ctx.progress(
    'schedules',
    `on-call check of ${desired.name}: ${comparison.handoffs} hand-offs, ${comparison.differences.length} difference(s)`,
  );
}

export async function scheduleStage(ctx: StageContext): Promise<void> {
  const { schedules, skipped } = await ctx.source.schedules();
  ctx.report.skipped.push(...skipped);
  await resolveUsers(ctx);
  await resolveTeams(ctx);
  const existing = await listAll<VigilSchedule>(ctx.api, '/schedule/list');
  const window = { start: ctx.now, end: ctx.now + ctx.checkDays * DAY };

  for (const desired of schedules) {
    const notes = [...desired.notes];
    const name = fitName(desired.name, 40, notes);
    const item: PlanItem = {
      stage: 'schedules',
      kind: 'schedule',
      source_id: desired.source_id,
      name,
      action: 'create',
      reason: 'new schedule',
      notes,
    };
    const mine = existing.find((s) => {
      const tag = readTag(s.description);
      return tag?.source === ctx.source.name && tag.kind === 'schedule' && tag.id === desired.source_id;
    });
    if (mine) ctx.refs.schedules.set(desired.source_id, mine.schedule_id);
    if (desired.unmapped) {
      record(ctx, {
        ...item,
        action: 'skip',
        reason: `not mapped: ${desired.unmapped}`,
        vigil_id: mine?.schedule_id,
      });
      continue;
    }
    const people = [...new Set(desired.layers.flatMap((l) => l.groups.flat()))];
    const missing = people.filter((p) => !ctx.refs.users.has(p));
    if (missing.length > 0) {
      record(ctx, {
        ...item,
        action: 'skip',
        reason: `not mapped: user(s) ${missing.join(', ')} are not imported (run the users stage, or they have no e-mail)`,
      });
      continue;
    }
    const layers = desired.layers.map((l) => layerBody(l, (id) => ctx.refs.users.get(id)!));
    const teamId = desired.team ? ctx.refs.teams.get(desired.team) : undefined;
    if (desired.team && teamId === undefined) notes.push('its team is not imported: no team set');
    const body = {
      schedule_name: name,
      team_id: teamId ?? 0,
      time_zone: desired.time_zone,
      layers,
    };
    const planned = people.some((p) => ctx.refs.users.get(p)! < 0) || (teamId ?? 0) < 0;
    const hash = hashOf({ ...body, description: desired.description });
    const description = tagged(
      desired.description,
      { source: ctx.source.name, kind: 'schedule', id: desired.source_id },
      hash,
    );
    const clash = !mine && existing.find((s) => (s.schedule_name ?? '').toLowerCase() === name.toLowerCase());
    if (clash) {
      record(ctx, {
        ...item,
        action: 'skip',
        reason: `a schedule named "${clash.schedule_name}" exists in Vigil and was not imported; rename one of them and run again`,
      });
      continue;
    }
    if (mine) {
      const same = readTag(mine.description)?.hash === hash && !planned;
      Object.assign(item, {
        vigil_id: mine.schedule_id,
        action: same ? 'unchanged' : 'update',
        reason: same ? 'imported before, unchanged' : 'changed in the source',
      });
    }
    record(ctx, item);
    if (!ctx.apply) {
      if (!mine) ctx.refs.schedules.set(desired.source_id, plannedId(ctx, `schedule:${desired.source_id}`));
      await check(ctx, desired, plannedTimeline(desired.time_zone, layers, window), 'planned', window);
      continue;
    }
    let scheduleId = mine?.schedule_id;
    if (item.action === 'create') {
      const created = await write(item, () =>
        ctx.api.call<{ schedule_id: number }>('/schedule/create', { ...body, description }),
      );
      scheduleId = created?.schedule_id;
    } else if (item.action === 'update') {
      const ok = await write(item, () =>
        ctx.api.call('/schedule/update', { schedule_id: mine!.schedule_id, ...body, description }),
      );
      if (ok === undefined) scheduleId = undefined;
    }
    if (scheduleId === undefined) continue;
    item.vigil_id = scheduleId;
    ctx.refs.schedules.set(desired.source_id, scheduleId);
    await check(ctx, desired, await storedTimeline(ctx, scheduleId, window), 'stored', window, scheduleId);
  }
}
