import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local server that answers as Slack's Web API documents the methods war rooms use
 * (conversations.create|invite|info|archive, users.lookupByEmail, chat.postMessage): HTTP 200 with
 * `{ok: true, …}` or `{ok: false, error}`. It checks the Bearer token and records every call.
 */

export type SlackCall = { method: string; token: string; args: Record<string, string> };

export type FakeSlack = {
  url: string;
  calls: SlackCall[];
  /** Slack users by e-mail; an address not here answers users_not_found. */
  users: Map<string, string>;
  /** The next call of `method` answers `{ok: false, error}`. */
  failNext(method: string, error: string): void;
  close(): Promise<void>;
};

export const GOOD_TOKEN = 'xoxb-1111-2222-good';

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: SlackCall[] = [];
  const users = new Map<string, string>();
  const failures = new Map<string, string>();
  const channels = new Map<string, { id: string; name: string; is_archived: boolean }>();
  let next = 0;

  const answer = (call: SlackCall): Record<string, unknown> => {
    if (call.token !== GOOD_TOKEN) return { ok: false, error: 'invalid_auth' };
    const failure = failures.get(call.method);
    if (failure) {
      failures.delete(call.method);
      return { ok: false, error: failure };
    }
    const { args } = call;
    switch (call.method) {
      case 'conversations.create': {
        if (!/^[a-z0-9_-]{1,80}$/.test(args.name ?? '')) return { ok: false, error: 'invalid_name_specials' };
        if ([...channels.values()].some((c) => c.name === args.name))
          return { ok: false, error: 'name_taken' };
        next += 1;
        const channel = { id: `C${String(next).padStart(8, '0')}`, name: args.name!, is_archived: false };
        channels.set(channel.id, channel);
        return { ok: true, channel };
      }
      case 'users.lookupByEmail': {
        const id = users.get(args.email ?? '');
        return id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' };
      }
      case 'conversations.invite':
      case 'chat.postMessage':
      case 'conversations.info':
      case 'conversations.archive': {
        const channel = channels.get(args.channel ?? '');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (call.method === 'conversations.info') return { ok: true, channel };
        if (call.method === 'conversations.archive') {
          if (channel.is_archived) return { ok: false, error: 'already_archived' };
          channel.is_archived = true;
          return { ok: true };
        }
        if (channel.is_archived) return { ok: false, error: 'is_archived' };
        return call.method === 'chat.postMessage'
          ? { ok: true, channel: channel.id, ts: '1.0' }
          : { ok: true, channel };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const call: SlackCall = {
        method: (request.url ?? '').split('/').pop() ?? '',
        token: (request.headers.authorization ?? '').replace(/^Bearer /, ''),
        args: Object.fromEntries(new URLSearchParams(body)),
      };
      calls.push(call);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(call)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    calls,
    users,
    failNext: (method, error) => failures.set(method, error),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
