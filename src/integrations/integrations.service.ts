import type { Static } from 'typebox';
import type { Actor } from '../accounts/permissions.ts';
import { getTeams } from '../accounts/teams.store.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import { rearmHeartbeat } from '../ingest/heartbeat/heartbeats.ts';
import type { OutboundAllow } from '../notifications/providers/outbound-policy.ts';
import { AppError, invalidParameter, notFound } from '../shared/app-error.ts';
import { type Clock, nowSeconds } from '../shared/clock.ts';
import { newSecret } from '../shared/ids.ts';
import {
  parseWebhookSettings,
  storedWebhookSettings,
  type WebhookSettings,
  webhookKindOf,
} from '../webhooks/webhook-settings.ts';
import { forgetWebhookConfigs } from '../webhooks/webhooks.enqueue.ts';
import { isImType, maskedImSettings, parseImSettings } from './im-settings.ts';
import {
  DESCRIPTION_MAX,
  type IntegrationItem,
  NAME_MAX,
  PLUGIN_TYPE_KEYS,
  PLUGIN_TYPES,
  type PluginType,
} from './integrations.schemas.ts';
import {
  getIntegration,
  getIntegrationByKey,
  type IntegrationRow,
  insertIntegration,
  liveChannelIds,
  liveIntegrationTypes,
  updateIntegration as updateIntegrationRow,
} from './integrations.store.ts';
import { deleteRoute } from './routes.store.ts';
import {
  type HeartbeatSettings,
  hasSourceSettings,
  parseSourceSettings,
  type SourceSettings,
} from './source-settings.ts';

type Deps = { db: Db; clock: Clock; config: Config };
type Executor = Db['q'];

export type IntegrationInput = {
  name: string;
  plugin_type: PluginType;
  channel_id?: number | undefined;
  team_id?: number | undefined;
  description?: string | undefined;
  /** Webhook types: their settings (required on create); ignored for the other types. */
  settings?: Record<string, unknown> | undefined;
};

/** Bytes of randomness in an integration key (hex-encoded: 32 characters). */
const INTEGRATION_KEY_BYTES = 16;

/** Service-level check: the CLI calls services without the HTTP permission hook. */
export function requireIntegrationsManage(actor: Actor): void {
  if (!actor.permissions.has('integrations.manage')) {
    throw new AppError(
      'AccessDenied',
      'Access Denied: this operation needs the Integrations Manage permission.',
    );
  }
}

function isPluginType(value: unknown): value is PluginType {
  return typeof value === 'string' && (PLUGIN_TYPE_KEYS as string[]).includes(value);
}

export function isAlertIntegration(pluginType: string): boolean {
  return isPluginType(pluginType) && PLUGIN_TYPES[pluginType].category === 'event.alert';
}

const isId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * The field rules of an integration, the same whether the input came through the HTTP schema or
 * from the CLI (which has no schema in front of it). Returns the name trimmed.
 */
function checkInput(input: IntegrationInput): IntegrationInput {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > NAME_MAX) {
    throw invalidParameter(
      'name',
      `must be 1 to ${NAME_MAX} characters, not blank`,
      `Enter a name of 1 to ${NAME_MAX} characters (not only spaces).`,
    );
  }
  if (!isPluginType(input.plugin_type)) {
    throw invalidParameter(
      'plugin_type',
      `must be one of ${PLUGIN_TYPE_KEYS.map((t) => `"${t}"`).join(', ')}`,
    );
  }
  if (
    input.description !== undefined &&
    (typeof input.description !== 'string' || input.description.length > DESCRIPTION_MAX)
  ) {
    throw invalidParameter('description', `must be a string of at most ${DESCRIPTION_MAX} characters`);
  }
  for (const field of ['team_id', 'channel_id'] as const) {
    if (input[field] !== undefined && !isId(input[field])) {
      throw invalidParameter(field, 'must be an integer ≥ 0');
    }
  }
  return { ...input, name };
}

async function checkTeam(q: Executor, accountId: number, teamId: number | undefined): Promise<void> {
  if (!teamId) return;
  if ((await getTeams(q, accountId, [teamId])).length === 0) {
    throw invalidParameter('team_id', `team ${teamId} does not exist`);
  }
}

/** A private integration feeds one live channel of the account; only alert integrations can. */
async function checkChannel(
  q: Executor,
  accountId: number,
  pluginType: PluginType,
  channelId: number | undefined,
): Promise<void> {
  if (!channelId) return;
  if (!isAlertIntegration(pluginType)) {
    throw invalidParameter('channel_id', `a ${pluginType} integration cannot be bound to a channel; send 0`);
  }
  if (!(await liveChannelIds(q, accountId, [channelId])).has(channelId)) {
    throw invalidParameter('channel_id', `channel ${channelId} does not exist`);
  }
}

/**
 * A webhook's settings, checked (src/webhooks/webhook-settings.ts) and with every channel and alert
 * integration they name live in the account. Undefined for other types, whose settings are ignored.
 */
async function checkSettings(
  q: Executor,
  accountId: number,
  pluginType: PluginType,
  raw: Record<string, unknown> | undefined,
  allow: OutboundAllow,
): Promise<WebhookSettings | SourceSettings | Record<string, unknown> | undefined> {
  if (isImType(pluginType)) return parseImSettings(pluginType, raw);
  const kind = webhookKindOf(pluginType);
  if (!kind) return parseSourceSettings(pluginType, raw);
  const settings = parseWebhookSettings(kind, raw, allow);
  const channels = await liveChannelIds(q, accountId, settings.channel_ids);
  settings.channel_ids.forEach((id, i) => {
    if (!channels.has(id))
      throw invalidParameter(`settings.channel_ids[${i}]`, `channel ${id} does not exist`);
  });
  const sources = await liveIntegrationTypes(q, accountId, settings.integration_ids);
  settings.integration_ids.forEach((id, i) => {
    const type = sources.get(id);
    if (type === undefined || !isAlertIntegration(type)) {
      throw invalidParameter(`settings.integration_ids[${i}]`, `alert integration ${id} does not exist`);
    }
  });
  return settings;
}

/**
 * Creates an integration and its push key. Used by POST /datasource/upsert (without
 * integration_id) and by `vigil integration create`.
 */
export async function createIntegration(
  deps: { db: Db; clock: Clock; config: Config },
  actor: Actor,
  input: IntegrationInput,
): Promise<{ integration_id: number; integration_key: string }> {
  requireIntegrationsManage(actor);
  const checked = checkInput(input);
  // Webhooks are called, never pushed to; their key is only an identifier nobody can push with.
  const integrationKey = newSecret(INTEGRATION_KEY_BYTES);
  const integrationId = await deps.db.q.transaction().execute(async (q) => {
    await checkTeam(q, actor.accountId, checked.team_id);
    await checkChannel(q, actor.accountId, checked.plugin_type, checked.channel_id);
    const settings = await checkSettings(
      q,
      actor.accountId,
      checked.plugin_type,
      checked.settings,
      deps.config.outboundAllow,
    );
    return insertIntegration(q, {
      account_id: actor.accountId,
      team_id: checked.team_id ?? 0,
      name: checked.name,
      description: checked.description ?? '',
      plugin_type: checked.plugin_type,
      integration_key: integrationKey,
      channel_id: checked.channel_id ?? 0,
      settings: settings ?? {},
      creator_id: actor.memberId,
      now: nowSeconds(deps.clock),
    });
  });
  if (webhookKindOf(checked.plugin_type)) forgetWebhookConfigs(actor.accountId);
  return { integration_id: integrationId, integration_key: integrationKey };
}

/**
 * Updates name, description, team, channel and (webhooks) settings of a live integration; fields
 * not sent keep their value. plugin_type must be sent unchanged. Making a shared integration private
 * drops its route.
 */
export async function updateIntegration(
  deps: Deps,
  actor: Actor,
  input: IntegrationInput & { integration_id: number },
): Promise<{ integration_id: number; integration_key: string }> {
  requireIntegrationsManage(actor);
  const checked = checkInput(input);
  const updated = await deps.db.q.transaction().execute(async (trx) => {
    const existing = await getIntegration(trx, actor.accountId, input.integration_id, 'update');
    if (!existing) throw notFound(`integration ${input.integration_id}`);
    if (existing.plugin_type !== checked.plugin_type) {
      throw invalidParameter(
        'plugin_type',
        `an integration's type cannot change; this one is "${existing.plugin_type}"`,
      );
    }
    if (checked.team_id !== undefined && checked.team_id !== existing.team_id) {
      await checkTeam(trx, actor.accountId, checked.team_id);
    }
    if (checked.channel_id !== undefined && checked.channel_id !== existing.channel_id) {
      await checkChannel(trx, actor.accountId, checked.plugin_type, checked.channel_id);
    }
    const settings =
      checked.settings === undefined
        ? undefined
        : await checkSettings(
            trx,
            actor.accountId,
            checked.plugin_type,
            checked.settings,
            deps.config.outboundAllow,
          );
    await updateIntegrationRow(trx, actor.accountId, existing.integration_id, {
      name: checked.name,
      ...(settings ? { settings: JSON.stringify(settings) } : {}),
      ...(checked.description !== undefined ? { description: checked.description } : {}),
      ...(checked.team_id !== undefined ? { team_id: checked.team_id } : {}),
      ...(checked.channel_id !== undefined ? { channel_id: checked.channel_id } : {}),
      updated_at: nowSeconds(deps.clock),
    });
    if (checked.channel_id) await deleteRoute(trx, actor.accountId, existing.integration_id);
    if (settings && checked.plugin_type === 'alert.heartbeat') {
      await rearmHeartbeat(trx, existing.integration_id, settings as HeartbeatSettings);
    }
    return { integration_id: existing.integration_id, integration_key: existing.integration_key };
  });
  if (webhookKindOf(checked.plugin_type)) forgetWebhookConfigs(actor.accountId);
  return updated;
}

/** Enables or disables a live integration; a disabled one's key is refused by the push endpoints. */
export async function setIntegrationStatus(
  deps: Deps,
  actor: Actor,
  integrationId: number,
  status: 'enabled' | 'disabled',
): Promise<void> {
  requireIntegrationsManage(actor);
  const found = await updateIntegrationRow(deps.db.q, actor.accountId, integrationId, {
    status,
    updated_at: nowSeconds(deps.clock),
  });
  if (!found) throw notFound(`integration ${integrationId}`);
  // Whatever its type: forgetting an account's webhooks only costs the next event a lookup.
  forgetWebhookConfigs(actor.accountId);
}

/** Soft-deletes an integration (status "deleted"); its route is deleted with it. */
export async function deleteIntegration(deps: Deps, actor: Actor, integrationId: number): Promise<void> {
  requireIntegrationsManage(actor);
  const now = nowSeconds(deps.clock);
  await deps.db.q.transaction().execute(async (trx) => {
    const found = await updateIntegrationRow(trx, actor.accountId, integrationId, {
      status: 'deleted',
      deleted_at: now,
      updated_at: now,
    });
    if (!found) throw notFound(`integration ${integrationId}`);
    await deleteRoute(trx, actor.accountId, integrationId);
  });
  forgetWebhookConfigs(actor.accountId);
}

/** The enabled integration a push key belongs to; undefined for unknown, disabled or deleted ones. */
export async function findIntegrationByKey(db: Db, key: string): Promise<IntegrationRow | undefined> {
  if (key === '') return undefined;
  const row = await getIntegrationByKey(db.q, key);
  return row?.status === 'enabled' ? row : undefined;
}

/** The URL a monitoring system pushes to for this integration. */
function pushUrl(publicUrl: string, pluginType: string, integrationKey: string): string {
  const path = isPluginType(pluginType) ? PLUGIN_TYPES[pluginType].pushPath : '';
  if (path === '') return '';
  return `${publicUrl}${path}?integration_key=${encodeURIComponent(integrationKey)}`;
}

export function toIntegrationItem(row: IntegrationRow, publicUrl: string): Static<typeof IntegrationItem> {
  return {
    integration_id: row.integration_id,
    team_id: row.team_id,
    name: row.name,
    status: row.status,
    plugin_id: 0,
    plugin_type: row.plugin_type,
    plugin_type_name: isPluginType(row.plugin_type) ? PLUGIN_TYPES[row.plugin_type].name : row.plugin_type,
    description: row.description,
    integration_key: row.integration_key,
    settings: webhookKindOf(row.plugin_type)
      ? [settingsItem(row.settings)]
      : hasSourceSettings(row.plugin_type)
        ? [row.settings]
        : isImType(row.plugin_type)
          ? [maskedImSettings(row.plugin_type, row.settings)]
          : [],
    creator_id: row.creator_id,
    created_at: row.created_at,
    updated_at: row.updated_at,
    channel_id: row.channel_id,
    is_private: row.channel_id !== 0,
    push_url: pushUrl(publicUrl, row.plugin_type, row.integration_key),
  };
}

/** A webhook's settings as desc and list show them: `endpoint` repeats `url` under its legacy name. */
function settingsItem(stored: Record<string, unknown>): Record<string, unknown> {
  const settings = storedWebhookSettings(stored);
  return { ...settings, endpoint: settings.url };
}
