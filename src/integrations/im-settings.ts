import { invalidParameter } from '../shared/app-error.ts';

/*
 * The settings of an IM integration that hosts war rooms (docs/war-rooms.md): a Slack app's bot
 * token (`im.slack`) or a Feishu/Lark self-built app's id and secret (`im.feishu`), and whether the
 * integration hosts war rooms (`war_room_enabled`, default true). Tokens and secrets are stored as
 * sent, never logged, and masked on every read.
 */

export type ImType = 'im.slack' | 'im.feishu';

export type ImSettings =
  | { bot_token: string; war_room_enabled: boolean }
  | { app_id: string; app_secret: string; war_room_enabled: boolean };

const SECRET_MAX = 256;
/** Slack bot tokens start `xoxb-`; other shapes are refused rather than failing at the first call. */
const BOT_TOKEN = /^xoxb-[A-Za-z0-9-]+$/;
/** Feishu app ids are `cli_` and letters/digits; secrets are letters and digits. */
const APP_ID = /^cli_[A-Za-z0-9]{1,64}$/;
const APP_SECRET = /^[A-Za-z0-9]{8,128}$/;

export function isImType(pluginType: string): pluginType is ImType {
  return pluginType === 'im.slack' || pluginType === 'im.feishu';
}

function secret(raw: Record<string, unknown> | undefined, key: string, shape: RegExp, what: string): string {
  const value = raw?.[key];
  if (typeof value !== 'string' || value.length > SECRET_MAX || !shape.test(value)) {
    throw invalidParameter(`settings.${key}`, `must be ${what}, at most ${SECRET_MAX} characters`);
  }
  return value;
}

function warRoomEnabled(raw: Record<string, unknown> | undefined): boolean {
  const value = raw?.war_room_enabled;
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw invalidParameter('settings.war_room_enabled', 'must be a boolean');
  return value;
}

export function parseImSettings(pluginType: ImType, raw: Record<string, unknown> | undefined): ImSettings {
  if (pluginType === 'im.slack') {
    const bot_token = secret(raw, 'bot_token', BOT_TOKEN, 'a Slack bot token (xoxb-…)');
    return { bot_token, war_room_enabled: warRoomEnabled(raw) };
  }
  const app_id = secret(raw, 'app_id', APP_ID, "a Feishu app's id (cli_…)");
  const app_secret = secret(raw, 'app_secret', APP_SECRET, "a Feishu app's secret (letters and digits)");
  return { app_id, app_secret, war_room_enabled: warRoomEnabled(raw) };
}

const text = (stored: Record<string, unknown>, key: string) =>
  typeof stored[key] === 'string' ? (stored[key] as string) : '';

/** Whether the stored settings host war rooms; settings stored before the flag existed do. */
export function storedWarRoomEnabled(stored: Record<string, unknown>): boolean {
  return stored.war_room_enabled !== false;
}

export function storedSlackToken(stored: Record<string, unknown>): string {
  return text(stored, 'bot_token');
}

export function storedFeishuApp(stored: Record<string, unknown>): { app_id: string; app_secret: string } {
  return { app_id: text(stored, 'app_id'), app_secret: text(stored, 'app_secret') };
}

const lastFour = (value: string, prefix: string) => (value === '' ? '' : `${prefix}****${value.slice(-4)}`);

/** What reads show: secrets as their kind and last four characters; the Feishu app id is not a secret. */
export function maskedImSettings(
  pluginType: string,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  const war_room_enabled = storedWarRoomEnabled(stored);
  if (pluginType === 'im.feishu') {
    const app = storedFeishuApp(stored);
    return { app_id: app.app_id, app_secret: lastFour(app.app_secret, ''), war_room_enabled };
  }
  return { bot_token: lastFour(storedSlackToken(stored), 'xoxb-'), war_room_enabled };
}
