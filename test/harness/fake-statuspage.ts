import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A local server answering as Atlassian Statuspage's REST API v1 documents the reads a migration
 * makes: `Authorization: OAuth <key>` (401 `{"error": ...}` otherwise), GET /v1/pages/{id},
 * /components, /component-groups, /incidents and /subscribers, lists paged with `page` and
 * `per_page` (default 100). Pages not in `pages` answer 404. Every request is recorded.
 */

export type FakePage = {
  page: { id: string; name: string; subdomain: string };
  components: Record<string, unknown>[];
  groups: Record<string, unknown>[];
  incidents: Record<string, unknown>[];
  subscribers: Record<string, unknown>[];
};

export type FakeStatuspage = {
  /** The API base, e.g. http://127.0.0.1:1234/v1 (STATUSPAGE_API_URL). */
  url: string;
  pages: Map<string, FakePage>;
  requests: { path: string; query: URLSearchParams; authorization: string }[];
  close(): Promise<void>;
};

export const STATUSPAGE_KEY = 'sp-good-key-0123456789';

export async function startFakeStatuspage(): Promise<FakeStatuspage> {
  const pages = new Map<string, FakePage>();
  const requests: FakeStatuspage['requests'] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const authorization = request.headers.authorization ?? '';
    requests.push({ path: url.pathname, query: url.searchParams, authorization });
    const send = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (authorization !== `OAuth ${STATUSPAGE_KEY}`) return send(401, { error: 'Could not authenticate' });
    const match = /^\/v1\/pages\/([^/]+)(?:\/([a-z-]+))?$/.exec(url.pathname);
    const page = match ? pages.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !page) return send(404, { error: 'Not found' });
    const list = (
      {
        components: page.components,
        'component-groups': page.groups,
        incidents: page.incidents,
        subscribers: page.subscribers.filter(
          (s) => url.searchParams.get('type') !== 'email' || s.mode === 'email',
        ),
      } as Record<string, Record<string, unknown>[]>
    )[match[2] ?? ''];
    if (!match[2]) return send(200, page.page);
    if (!list) return send(404, { error: 'Not found' });
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 100) || 100, 100);
    const pageNumber = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    send(200, list.slice((pageNumber - 1) * perPage, pageNumber * perPage));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    pages,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
