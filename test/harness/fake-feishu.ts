import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local server that answers as Feishu's Open Platform documents the calls war rooms use:
 * `auth/v3/tenant_access_token/internal`, `contact/v3/users/batch_get_id`, `im/v1/chats` (create,
 * get, disband), `im/v1/chats/:chat_id/members` and `im/v1/messages`. Every answer is
 * `{code, msg, data}`; refusals come with HTTP 400 as Feishu sends them (99991663 for a bad token,
 * 10014 for a bad app secret, 99992402 for a bad field, 232006 for an unknown chat, 232009 for a
 * disbanded one). It records every call.
 */

export type FeishuCall = {
  method: string;
  /** Under /open-apis, without the query. */
  path: string;
  query: Record<string, string>;
  token: string;
  body: Record<string, unknown>;
};

export type FakeFeishu = {
  url: string;
  calls: FeishuCall[];
  /** Feishu users' open ids by e-mail; an address not here comes back without a user_id. */
  users: Map<string, string>;
  chats: Map<string, { name: string; members: Set<string>; messages: string[]; disbanded: boolean }>;
  /** The next call of `method path` (e.g. `POST im/v1/messages`) answers `{code, msg}`. */
  failNext(call: string, code: number, msg: string): void;
  close(): Promise<void>;
};

export const GOOD_APP = { app_id: 'cli_a1b2c3d4e5f60001', app_secret: 'GoodSecret0123456789abcdefABCDEF' };
const TENANT_TOKEN = 't-g1044good';

type Answer = { status: number; body: Record<string, unknown> };
const ok = (data: Record<string, unknown> = {}): Answer => ({
  status: 200,
  body: { code: 0, msg: 'success', data },
});
const refuse = (code: number, msg: string): Answer => ({ status: 400, body: { code, msg, error: {} } });
const badField = (field: string) => refuse(99992402, `field validation failed: ${field}`);

export async function startFakeFeishu(): Promise<FakeFeishu> {
  const calls: FeishuCall[] = [];
  const users = new Map<string, string>();
  const failures = new Map<string, { code: number; msg: string }>();
  const chats: FakeFeishu['chats'] = new Map();
  let next = 0;

  const chatAnswer = (call: FeishuCall, chatId: string, rest: string): Answer => {
    const chat = chats.get(chatId);
    if (!chat) return refuse(232006, 'Your request specifies a chat_id that is invalid.');
    if (chat.disbanded)
      return refuse(232009, 'Your request specifies a chat which has already been dissolved.');
    if (rest === '' && call.method === 'GET') {
      return ok({ name: chat.name, chat_mode: 'group', chat_type: 'private', chat_status: 'normal' });
    }
    if (rest === '' && call.method === 'DELETE') {
      chat.disbanded = true;
      return ok();
    }
    if (rest === '/members' && call.method === 'POST') {
      if (call.query.member_id_type !== 'open_id') return badField('member_id_type');
      const ids = call.body.id_list;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 50) return badField('id_list');
      const known = new Set(users.values());
      const invalid = ids.filter((id) => !known.has(String(id)));
      for (const id of ids) if (known.has(String(id))) chat.members.add(String(id));
      return ok({ invalid_id_list: invalid, not_existed_id_list: [], pending_approval_id_list: [] });
    }
    return refuse(404, '404 page not found');
  };

  const answer = (call: FeishuCall): Answer => {
    const key = `${call.method} ${call.path}`;
    if (call.path === 'auth/v3/tenant_access_token/internal' && call.method === 'POST') {
      const { app_id, app_secret } = call.body;
      if (typeof app_id !== 'string' || typeof app_secret !== 'string') return badField('app_id');
      if (app_id !== GOOD_APP.app_id || app_secret !== GOOD_APP.app_secret)
        return refuse(10014, 'app secret invalid');
      return { status: 200, body: { code: 0, msg: 'ok', tenant_access_token: TENANT_TOKEN, expire: 7200 } };
    }
    if (call.token !== TENANT_TOKEN) {
      return refuse(
        99991663,
        'Invalid access token for authorization. Please make a request with token attached.',
      );
    }
    const failure = failures.get(key);
    if (failure) {
      failures.delete(key);
      return refuse(failure.code, failure.msg);
    }
    if (key === 'POST contact/v3/users/batch_get_id') {
      const emails = call.body.emails;
      if (!Array.isArray(emails) || emails.length > 50) return badField('emails');
      return ok({
        user_list: emails.map((email) => {
          const id = users.get(String(email));
          return id ? { user_id: id, email } : { email };
        }),
      });
    }
    if (key === 'POST im/v1/chats') {
      const name = call.body.name;
      if (typeof name !== 'string' || name === '' || [...name].length > 60) return badField('name');
      next += 1;
      const chatId = `oc_${String(next).padStart(32, '0')}`;
      chats.set(chatId, { name, members: new Set(), messages: [], disbanded: false });
      return ok({ chat_id: chatId, name, chat_mode: 'group', chat_type: 'private' });
    }
    if (key === 'POST im/v1/messages') {
      if (call.query.receive_id_type !== 'chat_id') return badField('receive_id_type');
      const chat = chats.get(String(call.body.receive_id));
      if (!chat) return refuse(230002, 'Bot/User can NOT be out of the chat.');
      if (chat.disbanded)
        return refuse(232009, 'Your request specifies a chat which has already been dissolved.');
      let text: unknown;
      try {
        text = (JSON.parse(String(call.body.content)) as { text?: unknown }).text;
      } catch {
        return badField('content');
      }
      if (call.body.msg_type !== 'text' || typeof text !== 'string') return badField('content');
      chat.messages.push(text);
      return ok({ message_id: `om_${chat.messages.length}`, chat_id: call.body.receive_id });
    }
    const chat = /^im\/v1\/chats\/([^/]+)(\/members)?$/.exec(call.path);
    if (chat) return chatAnswer(call, decodeURIComponent(chat[1]!), chat[2] ?? '');
    return refuse(404, '404 page not found');
  };

  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += chunk;
    });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://feishu.local');
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        body = {};
      }
      const call: FeishuCall = {
        method: request.method ?? '',
        path: url.pathname.replace(/^\/open-apis\//, ''),
        query: Object.fromEntries(url.searchParams),
        token: (request.headers.authorization ?? '').replace(/^Bearer /, ''),
        body,
      };
      calls.push(call);
      const { status, body: out } = answer(call);
      response
        .writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
        .end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/open-apis`,
    calls,
    users,
    chats,
    failNext: (call, code, msg) => failures.set(call, { code, msg }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
