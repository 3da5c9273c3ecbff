import { fitName, refId } from '../marker.ts';
import type { DesiredMember, SeverityChannels } from '../model.ts';
import type { PlanItem } from '../run.ts';
import { listAll } from '../vigil-api.ts';
import { plannedId, record, type StageContext, write } from './context.ts';
import { resolveUsers } from './resolve.ts';

/*
 * Users → members, matched by e-mail: an existing member is reused as it is; a new one is invited
 * with the source user's name, phone and time zone, marked by ref_id, and given the source's
 * notification rules as preferences where Vigil has them. Teams → teams, with their members.
 */

type Member = {
  member_id: number;
  member_name: string;
  email: string;
  phone: string;
  country_code: string;
  time_zone: string;
  status: string;
  ref_id: string;
};

type Team = { team_id: number; team_name: string; description: string; person_ids: number[]; ref_id: string };

const samePrefs = (a: SeverityChannels, b: SeverityChannels) =>
  (['critical', 'warning', 'info'] as const).every(
    (k) => [...a[k]].sort().join() === [...b[k]].sort().join(),
  );

function profileOf(user: DesiredMember, notes: string[]) {
  return {
    member_name: fitName(user.name, 39, notes, 2),
    email: user.email,
    ...(user.phone
      ? { phone: user.phone.number.slice(0, 32), country_code: user.phone.country_code.slice(0, 8) }
      : {}),
    ...(user.time_zone ? { time_zone: user.time_zone } : {}),
  };
}

async function setPreferences(ctx: StageContext, item: PlanItem, memberId: number, notify: SeverityChannels) {
  await write(item, () =>
    ctx.api.call('/preference/update', { person_id: memberId, trigger_notify: notify }),
  );
}

export async function userStage(ctx: StageContext): Promise<void> {
  const { users, skipped } = await ctx.source.users();
  ctx.report.skipped.push(...skipped);
  const members = (await listAll<Member>(ctx.api, '/member/list')).filter((m) => m.status !== 'deleted');
  const byRef = new Map(members.filter((m) => m.ref_id).map((m) => [m.ref_id, m]));
  const byEmail = new Map(members.map((m) => [m.email.toLowerCase(), m]));

  for (const user of users) {
    const notes = [...user.notes];
    const profile = profileOf(user, notes);
    const ref = refId(ctx.source.name, 'user', user.source_id);
    const mine = byRef.get(ref);
    const existing = mine ?? byEmail.get(user.email.toLowerCase());
    const item: PlanItem = {
      stage: 'users',
      kind: 'member',
      source_id: user.source_id,
      name: `${user.name} <${user.email}>`,
      action: 'create',
      reason: 'no member has this e-mail: invited',
      notes,
    };
    if (existing && !mine) {
      Object.assign(item, {
        action: 'match',
        reason: 'a member has this e-mail: reused as it is',
        vigil_id: existing.member_id,
      });
      record(ctx, item);
      ctx.refs.users.set(user.source_id, existing.member_id);
      ctx.refs.sourceOfMember.set(existing.member_id, user.source_id);
      continue;
    }
    if (mine) {
      const changed = (Object.keys(profile) as (keyof typeof profile)[]).filter(
        (k) => String(profile[k] ?? '') !== String(mine[k as keyof Member] ?? ''),
      );
      let prefsChanged = false;
      if (user.notify) {
        const current = await ctx.api.call<{ trigger_notify: SeverityChannels }>('/preference/info', {
          person_id: mine.member_id,
        });
        prefsChanged = !samePrefs(current.trigger_notify, user.notify);
      }
      Object.assign(item, {
        vigil_id: mine.member_id,
        action: changed.length || prefsChanged ? 'update' : 'unchanged',
        reason:
          changed.length || prefsChanged
            ? `changed in the source: ${[...changed, ...(prefsChanged ? ['notification rules'] : [])].join(', ')}`
            : 'imported before, unchanged',
      });
      record(ctx, item);
      ctx.refs.users.set(user.source_id, mine.member_id);
      ctx.refs.sourceOfMember.set(mine.member_id, user.source_id);
      if (ctx.apply && changed.length) {
        await write(item, () =>
          ctx.api.call('/member/info/reset', { member_id: mine.member_id, ...profile }),
        );
      }
      if (ctx.apply && prefsChanged && user.notify)
        await setPreferences(ctx, item, mine.member_id, user.notify);
      continue;
    }
    record(ctx, item);
    if (!ctx.apply) {
      const id = plannedId(ctx, `user:${user.source_id}`);
      ctx.refs.users.set(user.source_id, id);
      ctx.refs.sourceOfMember.set(id, user.source_id);
      continue;
    }
    const created = await write(item, () =>
      ctx.api.call<{ items: { member_id: number }[] }>('/member/invite', {
        members: [{ ...profile, ref_id: ref }],
      }),
    );
    const memberId = created?.items[0]?.member_id;
    if (memberId === undefined) continue;
    item.vigil_id = memberId;
    ctx.refs.users.set(user.source_id, memberId);
    ctx.refs.sourceOfMember.set(memberId, user.source_id);
    if (user.notify) await setPreferences(ctx, item, memberId, user.notify);
  }
}

export async function teamStage(ctx: StageContext): Promise<void> {
  const { teams, skipped } = await ctx.source.teams();
  ctx.report.skipped.push(...skipped);
  await resolveUsers(ctx);
  const existing = await listAll<Team>(ctx.api, '/team/list');
  const byRef = new Map(existing.filter((t) => t.ref_id).map((t) => [t.ref_id, t]));
  const byName = new Map(existing.map((t) => [t.team_name.toLowerCase(), t]));

  for (const team of teams) {
    const notes = [...team.notes];
    const name = fitName(team.name, 39, notes);
    const people = team.members.flatMap((id) => {
      const member = ctx.refs.users.get(id);
      return member === undefined ? [] : [member];
    });
    const missing = team.members.length - people.length;
    if (missing > 0)
      notes.push(`${missing} member(s) not imported (run the users stage first, or they have no e-mail)`);
    const ref = refId(ctx.source.name, 'team', team.source_id);
    const mine = byRef.get(ref);
    const adopted = mine ? undefined : byName.get(name.toLowerCase());
    const item: PlanItem = {
      stage: 'teams',
      kind: 'team',
      source_id: team.source_id,
      name,
      action: 'create',
      reason: 'new team',
      notes,
    };
    const target = mine ?? adopted;
    let body: Record<string, unknown>;
    if (target) {
      const wanted = adopted ? [...new Set([...target.person_ids, ...people])] : people;
      const realWanted = wanted.filter((id) => id > 0);
      const same =
        [...target.person_ids].sort().join() === [...realWanted].sort().join() &&
        (adopted !== undefined ||
          (target.team_name === name && target.description === team.description.slice(0, 500)));
      const planned = wanted.some((id) => id < 0);
      Object.assign(item, {
        vigil_id: target.team_id,
        action: same && !planned ? (adopted ? 'match' : 'unchanged') : 'update',
        reason: adopted
          ? same && !planned
            ? 'a team has this name: reused, it has every member already'
            : 'a team has this name: reused, the missing members added'
          : same && !planned
            ? 'imported before, unchanged'
            : 'changed in the source',
      });
      body = adopted
        ? { team_id: target.team_id, team_name: target.team_name, person_ids: realWanted }
        : {
            team_id: target.team_id,
            team_name: name,
            description: team.description.slice(0, 500),
            person_ids: realWanted,
            ref_id: ref,
          };
    } else {
      body = {
        team_name: name,
        description: team.description.slice(0, 500),
        person_ids: people,
        ref_id: ref,
      };
    }
    record(ctx, item);
    if (!ctx.apply) {
      ctx.refs.teams.set(team.source_id, target?.team_id ?? plannedId(ctx, `team:${team.source_id}`));
      continue;
    }
    if (item.action === 'unchanged' || item.action === 'match') {
      ctx.refs.teams.set(team.source_id, target!.team_id);
      continue;
    }
    const saved = await write(item, () => ctx.api.call<{ team_id: number }>('/team/upsert', body));
    if (saved) {
      item.vigil_id = saved.team_id;
      ctx.refs.teams.set(team.source_id, saved.team_id);
    }
  }
}
