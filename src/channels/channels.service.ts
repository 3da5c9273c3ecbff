import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import { conditionKeyProblem, conditionValueProblem } from '../alerts/conditions.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { ChannelStatus } from '../db/schema.ts';
import { insertDefaultRule, prepareDefaultRule } from '../escalation/escalation.service.ts';
import { DEFAULT_I_KEYS } from '../incidents/grouping.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newSecret } from '../shared/ids.ts';
import type {
  ChannelCreateRequest,
  ChannelItem,
  ChannelUpdateRequest,
  FlappingInput,
  GroupInput,
} from './channels.schemas.ts';
import {
  type ChannelRow,
  findBoundIntegration,
  findChannel,
  insertChannel,
  lockLiveTeams,
  updateChannel as updateChannelRow,
} from './channels.store.ts';

type Deps = { db: Db; clock: Clock };
type Executor = Db['q'];

/** A group config as stored: every field present, Flashduty's defaults where the caller sent none. */
type StoredGroup = Required<GroupInput>;
type StoredFlapping = Required<FlappingInput>;

function normalizeGroup(group: GroupInput | undefined): StoredGroup {
  const g = group ?? { method: 'n' };
  if (g.method === 'p' && !g.equals?.length && !g.cases?.length) {
    throw invalidParameter('group.equals', 'pattern grouping (method "p") needs equals or cases');
  }
  checkCaseConditions(g.cases ?? []);
  return {
    method: g.method,
    equals: g.equals ?? [],
    cases: g.cases ?? [],
    all_equals_required: g.all_equals_required ?? false,
    time_window: g.time_window ?? 0,
    window_type: g.window_type ?? 'tumbling',
    storm_threshold: g.storm_threshold ?? 0,
    storm_thresholds: g.storm_thresholds ?? [],
    i_keys: g.i_keys?.length ? g.i_keys : [...DEFAULT_I_KEYS],
    i_score_threshold: g.i_score_threshold ?? 0.9,
  };
}

/** Cases' conditions are checked as a route's are: a case that could never compile is refused, not stored. */
function checkCaseConditions(cases: NonNullable<GroupInput['cases']>): void {
  cases.forEach((c, i) => {
    c.if.forEach((condition, j) => {
      const at = `group.cases[${i}].if[${j}]`;
      const keyProblem = conditionKeyProblem(condition.key);
      if (keyProblem) throw invalidParameter(`${at}.key`, keyProblem);
      condition.vals.forEach((val, k) => {
        const valueProblem = conditionValueProblem(condition.key, val);
        if (valueProblem) throw invalidParameter(`${at}.vals[${k}]`, valueProblem);
      });
    });
  });
}

function normalizeFlapping(flapping: FlappingInput | undefined): StoredFlapping {
  return {
    is_disabled: flapping?.is_disabled ?? false,
    max_changes: flapping?.max_changes ?? 4,
    in_mins: flapping?.in_mins ?? 60,
    mute_mins: flapping?.mute_mins ?? 120,
  };
}

/** The token is only handed out while external reporting is on; a stored one is kept for re-enabling. */
function visibleToken(row: Pick<ChannelRow, 'is_external_report_enabled' | 'external_report_token'>): string {
  return row.is_external_report_enabled ? row.external_report_token : '';
}

export function toChannelItem(row: ChannelRow): Static<typeof ChannelItem> {
  return {
    channel_id: row.channel_id,
    team_id: row.team_id,
    managing_team_ids: row.managing_team_ids,
    creator_id: row.creator_id,
    account_id: row.account_id,
    channel_name: row.channel_name,
    description: row.description,
    status: row.status,
    deleted_at: row.deleted_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
    auto_resolve_timeout: row.auto_resolve_timeout,
    auto_resolve_mode: row.auto_resolve_mode,
    is_private: row.is_private,
    disable_outlier_detection: row.disable_outlier_detection,
    disable_auto_close: row.disable_auto_close,
    // Written only by this module, after validation and normalisation.
    group: row.group as StoredGroup,
    flapping: row.flapping as StoredFlapping,
    plugin_ids: row.plugin_ids,
    // Incidents, stars and their counters arrive with the incidents domain; until then none exist.
    progress_to_incident_cnts: { Triggered: 0, Processing: 0 },
    is_starred: false,
    active_incident_highest_severity: '',
    last_incident_at: 0,
    is_external_report_enabled: row.is_external_report_enabled,
    external_report_token: visibleToken(row),
  };
}

export function toBriefChannelItem(row: ChannelRow) {
  return {
    channel_id: row.channel_id,
    channel_name: row.channel_name,
    status: row.status,
    team_id: row.team_id,
  };
}

/** The spec takes `escalate_rule` on create only; an existing channel's rules have their own API. */
function refuseEscalateRule(request: { escalate_rule?: unknown }): void {
  if (request.escalate_rule !== undefined) {
    throw invalidParameter(
      'escalate_rule',
      "a channel's escalation rules are changed with /channel/escalate/rule/update (or create); send the channel without it",
    );
  }
}

/** Surrounding blanks would make look-alike names; a name of blanks only is no name. */
function cleanName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw invalidParameter('channel_name', 'must not be blank');
  return trimmed;
}

async function checkTeams(
  q: Executor,
  accountId: number,
  teams: { teamId?: number | undefined; managingTeamIds?: readonly number[] | undefined },
): Promise<void> {
  const managing = teams.managingTeamIds ?? [];
  const wanted = [...(teams.teamId === undefined ? [] : [teams.teamId]), ...managing];
  const live = await lockLiveTeams(q, accountId, wanted);
  if (teams.teamId !== undefined && !live.has(teams.teamId)) {
    throw invalidParameter('team_id', `team ${teams.teamId} does not exist`);
  }
  const missing = managing.find((id) => !live.has(id));
  if (missing !== undefined) throw invalidParameter('managing_team_ids', `team ${missing} does not exist`);
}

function nameConflict(error: unknown): never {
  if (isUniqueViolation(error, 'channels_name_key')) {
    throw invalidParameter('channel_name', 'a channel with this name exists');
  }
  throw error;
}

const unique = (ids: readonly number[] | undefined) => (ids === undefined ? undefined : [...new Set(ids)]);

export async function createChannel(
  deps: Deps & { config: Pick<Config, 'outboundAllow'> },
  actor: Actor,
  request: Static<typeof ChannelCreateRequest>,
): Promise<{ channel_id: number; channel_name: string; external_report_token: string }> {
  const name = cleanName(request.channel_name);
  const defaultRule =
    request.escalate_rule && prepareDefaultRule(request.escalate_rule, deps.config.outboundAllow);
  const group = normalizeGroup(request.group);
  const flapping = normalizeFlapping(request.flapping);
  const managingTeamIds = unique(request.managing_team_ids) ?? [];
  const token = request.is_external_report_enabled ? newSecret(16) : '';
  const nowMs = deps.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  try {
    const channelId = await deps.db.q.transaction().execute(async (trx) => {
      await checkTeams(trx, actor.accountId, { teamId: request.team_id, managingTeamIds });
      // The partial unique index channels_name_key decides name clashes, so concurrent creates cannot both win.
      const id = await insertChannel(trx, {
        account_id: actor.accountId,
        team_id: request.team_id,
        managing_team_ids: managingTeamIds,
        creator_id: actor.memberId,
        channel_name: name,
        description: request.description ?? '',
        auto_resolve_timeout: request.auto_resolve_timeout ?? 0,
        auto_resolve_mode: request.auto_resolve_mode ?? 'trigger',
        is_private: request.is_private ?? false,
        disable_outlier_detection: request.disable_outlier_detection ?? false,
        disable_auto_close: request.disable_auto_close ?? false,
        is_external_report_enabled: request.is_external_report_enabled ?? false,
        external_report_token: token,
        plugin_ids: unique(request.plugin_ids) ?? [],
        group: JSON.stringify(group),
        flapping: JSON.stringify(flapping),
        created_at: now,
        updated_at: now,
      });
      // The inline rule becomes the channel's first escalation rule, in the same transaction.
      if (defaultRule) await insertDefaultRule(trx, actor, id, defaultRule, nowMs);
      return id;
    });
    return { channel_id: channelId, channel_name: name, external_report_token: token };
  } catch (error) {
    nameConflict(error);
  }
}

/** Changes only the fields the request carries; a sent group or flapping replaces the stored one whole. */
export async function updateChannel(
  deps: Deps,
  actor: Actor,
  request: Static<typeof ChannelUpdateRequest>,
): Promise<{ external_report_token: string }> {
  refuseEscalateRule(request);
  const name = request.channel_name === undefined ? undefined : cleanName(request.channel_name);
  const group = request.group === undefined ? undefined : normalizeGroup(request.group);
  const flapping = request.flapping === undefined ? undefined : normalizeFlapping(request.flapping);
  const managingTeamIds = unique(request.managing_team_ids);
  try {
    return await deps.db.q.transaction().execute(async (trx) => {
      const channel = await findChannel(trx, actor.accountId, request.channel_id, { lock: true });
      if (!channel) throw notFound(`channel ${request.channel_id}`);
      await checkTeams(trx, actor.accountId, { teamId: request.team_id, managingTeamIds });
      const reportEnabled = request.is_external_report_enabled ?? channel.is_external_report_enabled;
      const token =
        reportEnabled && channel.external_report_token === '' ? newSecret(16) : channel.external_report_token;
      const changes = {
        team_id: request.team_id,
        managing_team_ids: managingTeamIds,
        channel_name: name,
        description: request.description,
        auto_resolve_timeout: request.auto_resolve_timeout,
        auto_resolve_mode: request.auto_resolve_mode,
        is_private: request.is_private,
        disable_outlier_detection: request.disable_outlier_detection,
        disable_auto_close: request.disable_auto_close,
        is_external_report_enabled: request.is_external_report_enabled,
        plugin_ids: unique(request.plugin_ids),
        group: group && JSON.stringify(group),
        flapping: flapping && JSON.stringify(flapping),
      };
      const sent = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      await updateChannelRow(trx, actor.accountId, channel.channel_id, {
        ...sent,
        external_report_token: token,
        updated_at: nowSeconds(deps.clock),
      });
      return {
        external_report_token: visibleToken({
          is_external_report_enabled: reportEnabled,
          external_report_token: token,
        }),
      };
    });
  } catch (error) {
    nameConflict(error);
  }
}

export async function setChannelStatus(
  deps: Deps,
  actor: Actor,
  channelId: number,
  status: Exclude<ChannelStatus, 'deleted'>,
): Promise<void> {
  const found = await updateChannelRow(deps.db.q, actor.accountId, channelId, {
    status,
    updated_at: nowSeconds(deps.clock),
  });
  if (!found) throw notFound(`channel ${channelId}`);
}

/** Soft delete; refused while a private integration still feeds the channel. */
export async function deleteChannel(deps: Deps, actor: Actor, channelId: number): Promise<void> {
  await deps.db.q.transaction().execute(async (trx) => {
    const channel = await findChannel(trx, actor.accountId, channelId, { lock: true });
    if (!channel) throw notFound(`channel ${channelId}`);
    const integration = await findBoundIntegration(trx, actor.accountId, channelId);
    if (integration) {
      throw new AppError(
        'ReferenceExist',
        `Channel ${channel.channel_name} is still fed by integration ${integration.name} (${integration.integration_id}); delete that integration first.`,
      );
    }
    const now = nowSeconds(deps.clock);
    await updateChannelRow(trx, actor.accountId, channelId, {
      status: 'deleted',
      deleted_at: now,
      updated_at: now,
    });
  });
}
