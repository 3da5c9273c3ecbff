import { fetch } from 'undici';
import { AppError } from '../../shared/app-error.ts';
import type { ImApiClient, ImRooms } from './im-rooms.ts';

/*
 * The few Feishu/Lark Open Platform calls war rooms use (https://open.feishu.cn/document): a tenant
 * access token from the app's id and secret, then group chats under it. Feishu answers
 * `{code, msg, data}`; `code` 0 is success, anything else (with HTTP 200 or 4xx) a refusal, which
 * becomes a BadRequest naming the call and Feishu's code and message. The secret and the token are
 * never logged nor put in an error.
 */

export type FeishuClient = ImApiClient;

type FeishuAnswer = { code: number; msg?: string; data?: Record<string, unknown>; [key: string]: unknown };

/** Feishu's codes for a chat id it does not know, and for a chat already disbanded. */
const CHAT_NOT_FOUND = 232006;
const CHAT_DISBANDED = 232009;
/** Feishu takes at most 50 e-mails per lookup and 50 members per invitation. */
const BATCH = 50;
/** Feishu's limit on a group chat's name, in characters. */
const NAME_MAX = 60;

async function feishuCall(
  client: FeishuClient,
  token: string | undefined,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: Record<string, unknown>,
  tolerated: readonly number[] = [],
): Promise<FeishuAnswer> {
  const call = `${method} ${path.split('?')[0]}`;
  let answer: FeishuAnswer;
  try {
    const response = await fetch(`${client.apiUrl}/${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(client.timeoutMs),
      dispatcher: client.dispatcher,
    });
    if (response.status === 429) throw new Error('rate limited');
    const parsed = (await response.json().catch(() => undefined)) as FeishuAnswer | undefined;
    if (typeof parsed?.code !== 'number') throw new Error(`HTTP ${response.status}`);
    answer = parsed;
  } catch (error) {
    throw new AppError('ServiceUnavailable', `Feishu ${call} failed: ${(error as Error).message}`);
  }
  if (answer.code === 0 || tolerated.includes(answer.code)) return answer;
  throw new AppError(
    'BadRequest',
    `Feishu refused ${call}: ${answer.code} ${String(answer.msg ?? '').slice(0, 200)}`.trim(),
  );
}

/** A tenant access token for a self-built app (valid two hours; one is fetched per operation). */
async function tenantToken(client: FeishuClient, app: { app_id: string; app_secret: string }) {
  const answer = await feishuCall(client, undefined, 'POST', 'auth/v3/tenant_access_token/internal', app);
  const token = answer.tenant_access_token;
  if (typeof token !== 'string' || token === '') {
    throw new AppError(
      'ServiceUnavailable',
      'Feishu POST auth/v3/tenant_access_token/internal failed: no token',
    );
  }
  return token;
}

/** `[INC <last 6 of the id>] <title>`, cut to Feishu's 60 characters. */
function chatName(incidentId: string, title: string): string {
  return [...`[INC ${incidentId.slice(-6)}] ${title}`.replace(/\s+/g, ' ')]
    .slice(0, NAME_MAX)
    .join('')
    .trim();
}

/** Feishu's AppLink that opens a chat in the client (members only). */
function chatLink(chatId: string): string {
  return `https://applink.feishu.cn/client/chat/open?openChatId=${encodeURIComponent(chatId)}`;
}

const chunks = <T>(items: T[]) =>
  Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));

/** War rooms as Feishu private group chats owned by the app's bot; disbanded when the room is deleted. */
export function feishuRooms(client: FeishuClient, app: { app_id: string; app_secret: string }): ImRooms {
  let token: Promise<string> | undefined;
  const call = async (
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
    tolerated?: readonly number[],
  ) => {
    token ??= tenantToken(client, app);
    return feishuCall(client, await token, method, path, body, tolerated);
  };
  const chatPath = (chatId: string) => `im/v1/chats/${encodeURIComponent(chatId)}`;
  return {
    async open(incident) {
      const created = await call('POST', 'im/v1/chats?user_id_type=open_id', {
        name: chatName(incident.incident_id, incident.title),
        chat_mode: 'group',
        chat_type: 'private',
      });
      const chatId = created.data?.chat_id;
      if (typeof chatId !== 'string') {
        throw new AppError('ServiceUnavailable', 'Feishu POST im/v1/chats failed: no chat_id');
      }
      return { id: chatId, name: String(created.data?.name ?? '') };
    },
    async invite(chatId, emails) {
      const openIds: string[] = [];
      for (const batch of chunks(emails)) {
        const found = await call('POST', 'contact/v3/users/batch_get_id?user_id_type=open_id', {
          emails: batch,
        });
        const users = (found.data?.user_list ?? []) as { user_id?: string }[];
        for (const user of users) if (user.user_id) openIds.push(user.user_id);
      }
      for (const batch of chunks(openIds)) {
        await call('POST', `${chatPath(chatId)}/members?member_id_type=open_id`, { id_list: batch });
      }
    },
    async post(chatId, text) {
      await call('POST', 'im/v1/messages?receive_id_type=chat_id', {
        receive_id: chatId,
        msg_type: 'text',
        content: JSON.stringify({ text }),
      });
    },
    async find(chatId) {
      const info = await call('GET', chatPath(chatId), undefined, [CHAT_NOT_FOUND, CHAT_DISBANDED]);
      const status = info.data?.chat_status;
      if (info.code !== 0 || (status !== undefined && status !== 'normal')) return undefined;
      return { id: chatId, name: String(info.data?.name ?? '') };
    },
    async close(chatId) {
      await call('DELETE', chatPath(chatId), undefined, [CHAT_NOT_FOUND, CHAT_DISBANDED]);
    },
    link: chatLink,
  };
}
