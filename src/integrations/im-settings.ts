import { invalidParameter } from '../shared/app-error.ts';

/*
 * The settings of an IM integration that hosts war rooms (`im.slack`, docs/war-rooms.md): the
 * Slack app's bot token. It is a secret: stored as sent, never logged, and masked on every read.
 */

export type ImSettings = { bot_token: string };

const TOKEN_MAX = 256;
/** Slack bot tokens start `xoxb-`; other shapes are refused rather than failing at the first call. */
const BOT_TOKEN = /^xoxb-[A-Za-z0-9-]+$/;

export function isImType(pluginType: string): boolean {
  return pluginType === 'im.slack';
}

export function parseImSettings(raw: Record<string, unknown> | undefined): ImSettings {
  const token = raw?.bot_token;
  if (typeof token !== 'string' || token.length > TOKEN_MAX || !BOT_TOKEN.test(token)) {
    throw invalidParameter(
      'settings.bot_token',
      'must be a Slack bot token (xoxb-…), at most 256 characters',
    );
  }
  return { bot_token: token };
}

export function storedImSettings(stored: Record<string, unknown>): ImSettings {
  return { bot_token: typeof stored.bot_token === 'string' ? stored.bot_token : '' };
}

/** What reads show: the token's kind and last four characters. */
export function maskedImSettings(stored: Record<string, unknown>): { bot_token: string } {
  const token = storedImSettings(stored).bot_token;
  return { bot_token: token === '' ? '' : `xoxb-****${token.slice(-4)}` };
}
