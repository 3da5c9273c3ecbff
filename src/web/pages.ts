import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Api } from '../http/route.ts';

/** Where `npm run build:web` (Vite) writes the console. */
export const CONSOLE_DIST = path.join(import.meta.dirname, '..', '..', 'web', 'dist');

// Paths that belong to the server: an unknown path under them is the API's RouteNotFound, never the console.
const SERVER_PREFIXES = [
  '/console/',
  '/assets/',
  '/status/',
  '/docs',
  '/openapi.json',
  '/healthz',
  '/readyz',
];

// The console loads only its own files; inline style attributes are Mantine's (per-component CSS variables).
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Vigil</title>
<p>The Vigil console is not built. Run <code>npm run build:web</code> (or <code>npm install</code>), then restart Vigil.</p>`;

export type ConsolePages = {
  /** Serves the console's page for a browser's GET of a path no route has; false when it does not apply. */
  fallback(request: FastifyRequest, reply: FastifyReply, knownPaths: ReadonlySet<string>): boolean;
};

/**
 * The console's single page and its hashed assets, on Vigil's own port. The page is the answer to
 * `/` and to any unknown GET a browser makes for HTML (`/incident/detail/<id>`, `/sign-in`), so
 * client-side routes survive a reload; API clients keep getting the Open API's JSON errors.
 */
/** Vigil's mark: a bell on a blue square. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0550ae"/>' +
  '<path d="M16 6a7 7 0 0 0-7 7v5l-2 3h18l-2-3v-5a7 7 0 0 0-7-7zm-3 17a3 3 0 0 0 6 0z" fill="#fff"/></svg>';

export async function registerConsolePages(app: Api, distDir = CONSOLE_DIST): Promise<ConsolePages> {
  const assets = path.join(distDir, 'assets');
  // Assets are served only if they existed at start: a build made later needs a restart.
  const built = existsSync(assets);
  if (built) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: '/assets/',
      // File names carry a content hash: a year of caching is safe.
      immutable: true,
      maxAge: '365d',
      index: false,
      schemaHide: true,
    });
  }
  const indexFile = path.join(distDir, 'index.html');
  // Re-read when a rebuild replaces it (new asset names); otherwise from memory.
  let cached: { mtimeMs: number; html: string } | undefined;
  const currentPage = (): string | undefined => {
    if (!built || !existsSync(indexFile)) return undefined;
    const { mtimeMs } = statSync(indexFile);
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: readFileSync(indexFile, 'utf8') };
    return cached.html;
  };
  const sendPage = (reply: FastifyReply) => {
    const page = currentPage();
    return reply
      .code(page ? 200 : 503)
      .headers(PAGE_HEADERS)
      .send(page ?? NOT_BUILT);
  };

  app.get('/', { schema: { hide: true } }, (_request, reply) => sendPage(reply));
  // Every browser asks for a favicon: answer it rather than a 404 on each page.
  for (const path of ['/favicon.svg', '/favicon.ico']) {
    app.get(path, { schema: { hide: true } }, (_request, reply) =>
      reply.type('image/svg+xml').header('Cache-Control', 'public, max-age=86400').send(FAVICON),
    );
  }

  return {
    fallback(request, reply, knownPaths) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const pathname = request.url.split('?')[0]!;
      if (knownPaths.has(pathname.replace(/\/+$/, '') || '/')) return false;
      if (SERVER_PREFIXES.some((prefix) => pathname.startsWith(prefix))) return false;
      if (!request.headers.accept?.includes('text/html')) return false;
      void sendPage(reply);
      return true;
    },
  };
}
