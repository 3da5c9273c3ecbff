import { fitName, hashOf, readTag, refId, tagged } from '../marker.ts';
import type { DesiredChannel, DesiredRule, Kind } from '../model.ts';
import type { PlanItem } from '../run.ts';
import { listAll } from '../vigil-api.ts';
import { plannedId, record, type StageContext, write } from './context.ts';
import { resolveSchedules, resolveTeams, resolveUsers } from './resolve.ts';

/*
 * Services / teams / integrations of the source → channels; their escalation policies → the
 * channel's escalation rules; their integrations → integrations bound to the channel, with the push
 * URL to paste into the monitoring system (docs/import.md).
 */

const DEFAULT_TEMPLATE = '000000000000000000000001';

type Channel = { channel_id: number; channel_name: string; description: string; team_id: number };
type Rule = { rule_id: string; description: string };
type Integration = { integration_id: number; description: string; channel_id: number };

/** The team channels go to when the source names none: made once, marked like an imported team. */
async function importTeam(ctx: StageContext, stage: Kind): Promise<number> {
  const key = '-import';
  const known = ctx.refs.teams.get(key);
  if (known !== undefined) return known;
  const ref = refId(ctx.source.name, 'team', key);
  const teams = await listAll<{ team_id: number; ref_id: string }>(ctx.api, '/team/list');
  const found = teams.find((t) => t.ref_id === ref);
  if (found) {
    ctx.refs.teams.set(key, found.team_id);
    return found.team_id;
  }
  const name = `${ctx.source.name} import`;
  const item = record(ctx, {
    stage,
    kind: 'team',
    source_id: key,
    name,
    action: 'create',
    reason: 'for channels whose source object names no team',
    notes: [],
  });
  const id = ctx.apply
    ? (
        await write(item, () =>
          ctx.api.call<{ team_id: number }>('/team/upsert', { team_name: name, ref_id: ref }),
        )
      )?.team_id
    : plannedId(ctx, `team:${key}`);
  if (id === undefined) throw new Error(`the team for imported channels could not be made: ${item.reason}`);
  item.vigil_id = id;
  ctx.refs.teams.set(key, id);
  return id;
}

async function ensureChannels(ctx: StageContext, stage: Kind, channels: DesiredChannel[]): Promise<void> {
  await resolveTeams(ctx);
  const existing = await listAll<Channel>(ctx.api, '/channel/list');
  for (const desired of channels) {
    const key = `channel:${desired.source_id}`;
    if (ctx.handled.has(key)) continue;
    ctx.handled.add(key);
    const notes = [...desired.notes];
    const name = fitName(desired.name, 59, notes);
    const mine = existing.find((c) => {
      const tag = readTag(c.description);
      return tag?.source === ctx.source.name && tag.kind === 'channel' && tag.id === desired.source_id;
    });
    let teamId = desired.team ? ctx.refs.teams.get(desired.team) : undefined;
    if (desired.team && teamId === undefined) notes.push('its team is not imported: the import team is used');
    teamId ??= await importTeam(ctx, stage);
    const body = {
      team_id: teamId,
      channel_name: name,
      ...(desired.auto_resolve_timeout
        ? { auto_resolve_timeout: desired.auto_resolve_timeout, auto_resolve_mode: 'trigger' }
        : {}),
    };
    const hash = hashOf({ ...body, description: desired.description });
    const description = tagged(
      desired.description,
      { source: ctx.source.name, kind: 'channel', id: desired.source_id },
      hash,
    );
    const item: PlanItem = {
      stage,
      kind: 'channel',
      source_id: desired.source_id,
      name,
      action: 'create',
      reason: 'new channel',
      notes,
    };
    const clash = !mine && existing.find((c) => c.channel_name.toLowerCase() === name.toLowerCase());
    if (clash) {
      record(ctx, {
        ...item,
        action: 'skip',
        reason: `a channel named "${clash.channel_name}" exists and was not imported; rename one and run again`,
      });
      continue;
    }
    if (mine) {
      const same = readTag(mine.description)?.hash === hash && teamId > 0;
      Object.assign(item, {
        vigil_id: mine.channel_id,
        action: same ? 'unchanged' : 'update',
        reason: same ? 'imported before, unchanged' : 'changed in the source',
      });
      ctx.refs.channels.set(desired.source_id, mine.channel_id);
    }
    record(ctx, item);
    if (!ctx.apply) {
      if (!mine) ctx.refs.channels.set(desired.source_id, plannedId(ctx, key));
      continue;
    }
    if (item.action === 'create') {
      const created = await write(item, () =>
        ctx.api.call<{ channel_id: number }>('/channel/create', { ...body, description }),
      );
      if (created) {
        item.vigil_id = created.channel_id;
        ctx.refs.channels.set(desired.source_id, created.channel_id);
      }
    } else if (item.action === 'update') {
      await write(item, () =>
        ctx.api.call('/channel/update', { channel_id: mine!.channel_id, ...body, description }),
      );
    }
  }
}

function ruleBody(
  ctx: StageContext,
  rule: DesiredRule,
): { body?: Record<string, unknown>; missing?: string; planned?: boolean } {
  const layers = [];
  let planned = false;
  for (const layer of rule.layers) {
    const persons = layer.target.users.map((id) => ctx.refs.users.get(id));
    const teams = layer.target.teams.map((id) => ctx.refs.teams.get(id));
    const schedules = layer.target.schedules.map((id) => ctx.refs.schedules.get(id));
    const gone = [
      ...layer.target.users.filter((_, i) => persons[i] === undefined).map((id) => `user ${id}`),
      ...layer.target.teams.filter((_, i) => teams[i] === undefined).map((id) => `team ${id}`),
      ...layer.target.schedules.filter((_, i) => schedules[i] === undefined).map((id) => `schedule ${id}`),
    ];
    if (gone.length > 0) return { missing: gone.join(', ') };
    planned ||= [...persons, ...teams, ...schedules].some((id) => id! < 0);
    layers.push({
      max_times: layer.max_times,
      notify_step: layer.notify_step,
      escalate_window: layer.escalate_window,
      force_escalate: layer.force_escalate,
      target: {
        person_ids: persons as number[],
        team_ids: teams as number[],
        schedule_to_role_ids: Object.fromEntries((schedules as number[]).map((id) => [String(id), []])),
        by: { follow_preference: true },
      },
    });
  }
  return {
    planned,
    body: {
      rule_name: rule.name.trim().slice(0, 39) || 'Imported',
      template_id: DEFAULT_TEMPLATE,
      priority: rule.priority,
      aggr_window: rule.aggr_window,
      layers,
      time_filters: rule.time_filters,
      filters: [],
    },
  };
}

export async function escalationStage(ctx: StageContext): Promise<void> {
  const { channels, rules, skipped } = await ctx.source.escalations();
  ctx.report.skipped.push(...skipped);
  await resolveUsers(ctx);
  await resolveSchedules(ctx);
  await ensureChannels(ctx, 'escalations', channels);
  const existingOf = new Map<number, Rule[]>();
  const account = await ctx.api.call<{ time_zone: string }>('/account/info', {});
  for (const rule of rules) {
    const notes = [...rule.notes];
    const item: PlanItem = {
      stage: 'escalations',
      kind: 'escalation rule',
      source_id: rule.source_id,
      name: rule.name,
      action: 'create',
      reason: 'new escalation rule',
      notes,
    };
    const channelId = ctx.refs.channels.get(rule.channel);
    if (channelId === undefined) {
      record(ctx, { ...item, action: 'skip', reason: 'its channel is not imported' });
      continue;
    }
    if (rule.unmapped) {
      record(ctx, { ...item, action: 'skip', reason: `not mapped: ${rule.unmapped}` });
      continue;
    }
    if (rule.time_filters.length > 0 && rule.time_zone && rule.time_zone !== account.time_zone) {
      record(ctx, {
        ...item,
        action: 'skip',
        reason: `not mapped: its time windows are in ${rule.time_zone}, and Vigil reads rule windows in the account's zone (${account.time_zone})`,
      });
      continue;
    }
    const { body, missing, planned } = ruleBody(ctx, rule);
    if (!body) {
      record(ctx, { ...item, action: 'skip', reason: `not mapped: ${missing} not imported` });
      continue;
    }
    const hash = hashOf({ ...body, description: rule.description });
    const description = tagged(
      rule.description,
      { source: ctx.source.name, kind: 'escalation', id: rule.source_id },
      hash,
    );
    let existing: Rule[] = [];
    if (channelId > 0) {
      existing =
        existingOf.get(channelId) ??
        (await ctx.api.call<{ items: Rule[] }>('/channel/escalate/rule/list', { channel_id: channelId }))
          .items;
      existingOf.set(channelId, existing);
    }
    const mine = existing.find((r) => {
      const tag = readTag(r.description);
      return tag?.source === ctx.source.name && tag.kind === 'escalation' && tag.id === rule.source_id;
    });
    if (mine) {
      const same = readTag(mine.description)?.hash === hash && !planned;
      Object.assign(item, {
        vigil_id: mine.rule_id,
        action: same ? 'unchanged' : 'update',
        reason: same ? 'imported before, unchanged' : 'changed in the source',
      });
    }
    record(ctx, item);
    if (!ctx.apply || item.action === 'unchanged') continue;
    if (item.action === 'create') {
      const created = await write(item, () =>
        ctx.api.call<{ rule_id: string }>('/channel/escalate/rule/create', {
          channel_id: channelId,
          ...body,
          description,
        }),
      );
      if (created) item.vigil_id = created.rule_id;
    } else {
      await write(item, () =>
        ctx.api.call('/channel/escalate/rule/update', {
          channel_id: channelId,
          rule_id: mine!.rule_id,
          ...body,
          description,
        }),
      );
    }
  }
}

export async function integrationStage(ctx: StageContext): Promise<void> {
  const { channels, integrations, skipped } = await ctx.source.integrations();
  ctx.report.skipped.push(...skipped);
  await ensureChannels(ctx, 'integrations', channels);
  const existing = await listAll<Integration>(ctx.api, '/datasource/list');
  for (const desired of integrations) {
    const notes = [...desired.notes];
    const name = fitName(desired.name, 39, notes);
    const item: PlanItem = {
      stage: 'integrations',
      kind: 'integration',
      source_id: desired.source_id,
      name,
      action: 'create',
      reason: `new ${desired.plugin_type} integration`,
      notes,
    };
    const channelId = ctx.refs.channels.get(desired.channel);
    if (channelId === undefined) {
      record(ctx, { ...item, action: 'skip', reason: 'its channel is not imported' });
      continue;
    }
    const body = { name, plugin_type: desired.plugin_type, channel_id: channelId };
    const hash = hashOf({ ...body, description: desired.description });
    const description = tagged(
      desired.description,
      { source: ctx.source.name, kind: 'integration', id: desired.source_id },
      hash,
    );
    const mine = existing.find((i) => {
      const tag = readTag(i.description);
      return tag?.source === ctx.source.name && tag.kind === 'integration' && tag.id === desired.source_id;
    });
    if (mine) {
      const same = readTag(mine.description)?.hash === hash && channelId > 0;
      Object.assign(item, {
        vigil_id: mine.integration_id,
        action: same ? 'unchanged' : 'update',
        reason: same ? 'imported before, unchanged' : 'changed in the source',
      });
    }
    record(ctx, item);
    if (!ctx.apply) continue;
    let integrationId = mine?.integration_id;
    if (item.action !== 'unchanged') {
      const saved = await write(item, () =>
        ctx.api.call<{ integration_id: number }>('/datasource/upsert', {
          ...(mine ? { integration_id: mine.integration_id } : {}),
          ...body,
          description,
        }),
      );
      integrationId = saved?.integration_id;
    }
    if (integrationId === undefined) continue;
    item.vigil_id = integrationId;
    const desc = await ctx.api.call<{ push_url: string }>('/datasource/desc', {
      integration_id: integrationId,
    });
    item.push_url = desc.push_url;
  }
}
