import Type from 'typebox';
import { parseTime } from '../time-args.ts';
import { call, defineTool, type ToolContext, ToolFailure } from '../tool.ts';

/*
 * Vigil's who_is_on_call: for a schedule, a team (its schedules) or a channel (the people its
 * escalation rules' first layer reaches), now or at a given time. Built on /schedule/info,
 * /schedule/list and /channel/escalate/rule/list, so it sees what the member may see.
 */

type Members = { role_id: number; person_ids: number[] }[];
type Shift = { start: number; end: number; group: { members: Members } };
type Schedule = { schedule_id: number; schedule_name: string | null; final_schedule: { schedules: Shift[] } };
type Target = { person_ids: number[]; team_ids: number[]; schedule_to_role_ids: Record<string, number[]> };
type Rule = { rule_id: string; rule_name: string; status: string; layers: { target: Target }[] };

/** The people on a schedule's final shift holding `at`, with their on-call roles. */
function onShift(schedule: Schedule, at: number) {
  const shift = schedule.final_schedule.schedules.find((s) => s.start <= at && at < s.end);
  const people = (shift?.group.members ?? []).flatMap((m) =>
    m.person_ids.map((person_id) => ({ person_id, role_id: m.role_id })),
  );
  return { shift_start: shift?.start ?? null, shift_end: shift?.end ?? null, people };
}

const window = (at: number) => ({ start: at, end: at + 60 });

async function scheduleAt(context: ToolContext, scheduleId: number, at: number) {
  const schedule = await call<Schedule>(context, '/schedule/info', {
    schedule_id: scheduleId,
    ...window(at),
  });
  return {
    schedule_id: schedule.schedule_id,
    schedule_name: schedule.schedule_name,
    ...onShift(schedule, at),
  };
}

/** Names for the person ids in an answer (the API's /person/infos; unknown ids stay unnamed). */
async function names(context: ToolContext, ids: Iterable<number>): Promise<Map<number, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const data = await call<{ items: { person_id: number; person_name: string }[] }>(context, '/person/infos', {
    person_ids: unique.slice(0, 1000),
  });
  return new Map(data.items.map((p) => [p.person_id, p.person_name]));
}

async function forChannel(context: ToolContext, channelId: number, at: number) {
  const rules = await call<{ items: Rule[] }>(context, '/channel/escalate/rule/list', {
    channel_id: channelId,
  });
  const out = [];
  for (const rule of rules.items.filter((r) => r.status === 'enabled')) {
    const target = rule.layers[0]?.target;
    if (!target) continue;
    const schedules = [];
    for (const [id, roles] of Object.entries(target.schedule_to_role_ids)) {
      const found = await scheduleAt(context, Number(id), at);
      schedules.push({
        ...found,
        people: roles.length ? found.people.filter((p) => roles.includes(p.role_id)) : found.people,
      });
    }
    const teams = target.team_ids.length
      ? (
          await call<{ items: { team_id: number; team_name: string; person_ids: number[] }[] }>(
            context,
            '/team/infos',
            { team_ids: target.team_ids },
          )
        ).items
      : [];
    out.push({
      rule_id: rule.rule_id,
      rule_name: rule.rule_name,
      person_ids: target.person_ids,
      teams,
      schedules,
    });
  }
  return out;
}

export const whoIsOnCall = defineTool({
  name: 'who_is_on_call',
  toolset: 'oncall',
  title: 'Who is on call',
  description:
    "Vigil's own: who is on call for a schedule, a team (each of its schedules) or a channel (whom the first " +
    'layer of each enabled escalation rule reaches: people, teams, schedules on shift), now or at a time. ' +
    'Give exactly one of schedule_id, team_id, channel_id.',
  write: false,
  input: Type.Object({
    schedule_id: Type.Optional(Type.Integer({ minimum: 1 })),
    team_id: Type.Optional(Type.Integer({ minimum: 1 })),
    channel_id: Type.Optional(Type.Integer({ minimum: 1 })),
    at: Type.Optional(
      Type.String({
        description: 'When: "now" (default), "+2h", "2026-04-01 10:00:00" (UTC), Unix seconds.',
      }),
    ),
  }),
  async run(context, input) {
    const given = [input.schedule_id, input.team_id, input.channel_id].filter((v) => v !== undefined);
    if (given.length !== 1)
      throw new ToolFailure('InvalidParameter', 'give exactly one of schedule_id, team_id, channel_id');
    const at = input.at === undefined ? context.now() : parseTime('at', input.at, context.now());
    let answer: Record<string, unknown>;
    let people: number[] = [];
    if (input.schedule_id !== undefined) {
      const schedule = await scheduleAt(context, input.schedule_id, at);
      people = schedule.people.map((p) => p.person_id);
      answer = { schedules: [schedule] };
    } else if (input.team_id !== undefined) {
      const list = await call<{ items: Schedule[] }>(context, '/schedule/list', {
        team_ids: [input.team_id],
        limit: 100,
        ...window(at),
      });
      const schedules = list.items.map((s) => ({
        schedule_id: s.schedule_id,
        schedule_name: s.schedule_name,
        ...onShift(s, at),
      }));
      people = schedules.flatMap((s) => s.people.map((p) => p.person_id));
      answer = { schedules };
    } else {
      const rules = await forChannel(context, input.channel_id!, at);
      people = rules.flatMap((r) => [
        ...r.person_ids,
        ...r.teams.flatMap((t) => t.person_ids),
        ...r.schedules.flatMap((s) => s.people.map((p) => p.person_id)),
      ]);
      answer = { escalation_rules: rules };
    }
    const named = await names(context, people);
    return {
      at,
      ...answer,
      people: [...new Set(people)].map((id) => ({ person_id: id, person_name: named.get(id) ?? null })),
    };
  },
});

export const ONCALL_TOOLS = [whoIsOnCall];
