import { readTag, refId } from '../marker.ts';
import { listAll } from '../vigil-api.ts';
import type { StageContext } from './context.ts';

/*
 * When a stage runs without the stages before it (`--only schedules`, or the console's next step),
 * the objects those stages imported earlier are found in Vigil by their markers, read-only.
 */

export async function resolveUsers(ctx: StageContext): Promise<void> {
  if (ctx.refs.users.size > 0) return;
  const { users } = await ctx.source.users();
  const members = await listAll<{ member_id: number; email: string; ref_id: string; status: string }>(
    ctx.api,
    '/member/list',
  );
  const live = members.filter((m) => m.status !== 'deleted');
  for (const user of users) {
    const ref = refId(ctx.source.name, 'user', user.source_id);
    const member =
      live.find((m) => m.ref_id === ref) ??
      live.find((m) => m.email.toLowerCase() === user.email.toLowerCase());
    if (!member) continue;
    ctx.refs.users.set(user.source_id, member.member_id);
    ctx.refs.sourceOfMember.set(member.member_id, user.source_id);
  }
}

export async function resolveTeams(ctx: StageContext): Promise<void> {
  if (ctx.refs.teams.size > 0) return;
  const { teams } = await ctx.source.teams();
  const existing = await listAll<{ team_id: number; team_name: string; ref_id: string }>(
    ctx.api,
    '/team/list',
  );
  for (const team of teams) {
    const ref = refId(ctx.source.name, 'team', team.source_id);
    const found =
      existing.find((t) => t.ref_id === ref) ??
      existing.find((t) => t.team_name.toLowerCase() === team.name.trim().slice(0, 39).toLowerCase());
    if (found) ctx.refs.teams.set(team.source_id, found.team_id);
  }
}

export async function resolveSchedules(ctx: StageContext): Promise<void> {
  if (ctx.refs.schedules.size > 0) return;
  const schedules = await listAll<{ schedule_id: number; description: string | null }>(
    ctx.api,
    '/schedule/list',
  );
  for (const schedule of schedules) {
    const tag = readTag(schedule.description);
    if (tag?.source === ctx.source.name && tag.kind === 'schedule')
      ctx.refs.schedules.set(tag.id, schedule.schedule_id);
  }
}
