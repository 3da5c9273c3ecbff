import { fetch } from 'undici';
import { AppError } from '../../shared/app-error.ts';
import type { ImApiClient, ImRooms } from './im-rooms.ts';

/*
 * The few Slack Web API methods war rooms use (https://api.slack.com/methods). Every call is a
 * form-encoded POST with the bot token as a Bearer header; Slack answers HTTP 200 with
 * `{ok: false, error}` when it refuses, which becomes a BadRequest naming the method and the error.
 * The token is never logged nor put in an error.
 */

export type SlackClient = ImApiClient;

type SlackAnswer = { ok: boolean; error?: string; [key: string]: unknown };

/** Slack's answer; throws unless `ok`, except for the errors the caller says it can live with. */
async function slackCall(
  client: SlackClient,
  token: string,
  method: string,
  args: Record<string, string>,
  tolerated: readonly string[] = [],
): Promise<SlackAnswer> {
  let answer: SlackAnswer;
  try {
    const response = await fetch(`${client.apiUrl}/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(client.timeoutMs),
      dispatcher: client.dispatcher,
    });
    if (response.status === 429)
      throw new Error(`rate limited (retry after ${response.headers.get('retry-after') ?? '?'} s)`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = (await response.json()) as SlackAnswer;
  } catch (error) {
    throw new AppError('ServiceUnavailable', `Slack ${method} failed: ${(error as Error).message}`);
  }
  if (answer.ok || tolerated.includes(String(answer.error))) return answer;
  throw new AppError('BadRequest', `Slack refused ${method}: ${String(answer.error ?? 'unknown_error')}`);
}

const NAME_MAX = 80;

/**
 * A channel name by Slack's rules: lowercase letters, digits, hyphens and underscores, at most 80
 * characters. `inc-<last 6 of the id>-<title>` keeps rooms of one title apart.
 */
function channelName(incidentId: string, title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  const name = `inc-${incidentId.slice(-6).toLowerCase()}${slug ? `-${slug}` : ''}`;
  return name.slice(0, NAME_MAX).replace(/-$/, '');
}

/** A link that opens the channel in Slack (Slack's documented app_redirect deep link). */
function shareLink(chatId: string): string {
  return `https://slack.com/app_redirect?channel=${encodeURIComponent(chatId)}`;
}

/** War rooms as Slack channels: public, archived when the room is deleted. */
export function slackRooms(slack: SlackClient, token: string): ImRooms {
  return {
    async open(incident) {
      const created = await slackCall(slack, token, 'conversations.create', {
        name: channelName(incident.incident_id, incident.title),
        is_private: 'false',
      });
      const channel = created.channel as { id: string; name: string };
      return { id: channel.id, name: channel.name };
    },
    async invite(chatId, emails) {
      // Looked up one by one (Slack has no batch lookup); a member Slack does not know is left out.
      const userIds: string[] = [];
      for (const email of emails) {
        const found = await slackCall(slack, token, 'users.lookupByEmail', { email }, ['users_not_found']);
        const user = found.user as { id?: string } | undefined;
        if (found.ok && user?.id) userIds.push(user.id);
      }
      if (userIds.length === 0) return;
      await slackCall(slack, token, 'conversations.invite', { channel: chatId, users: userIds.join(',') }, [
        'already_in_channel',
      ]);
    },
    async post(chatId, text) {
      await slackCall(slack, token, 'chat.postMessage', { channel: chatId, text, unfurl_links: 'false' });
    },
    async find(chatId) {
      const info = await slackCall(slack, token, 'conversations.info', { channel: chatId }, [
        'channel_not_found',
      ]);
      const channel = info.channel as { id: string; name: string; is_archived?: boolean } | undefined;
      if (!info.ok || !channel || channel.is_archived) return undefined;
      return { id: channel.id, name: channel.name };
    },
    async close(chatId) {
      await slackCall(slack, token, 'conversations.archive', { channel: chatId }, [
        'already_archived',
        'channel_not_found',
      ]);
    },
    link: shareLink,
  };
}
