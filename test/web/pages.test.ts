import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import type { Api } from '../../src/http/route.ts';
import { registerConsolePages } from '../../src/web/pages.ts';

/* Serving the console's build: missing, present, and rebuilt while the server runs. */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function serve(distDir: string) {
  const app = Fastify({ logger: false });
  await registerConsolePages(app as unknown as Api, distDir);
  await app.ready();
  return app;
}

describe('console pages', () => {
  it('says how to build the console when there is no build', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'vigil-dist-'));
    dirs.push(dist);
    const app = await serve(dist);
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build:web');
    await app.close();
  });

  it('serves the page uncached and the hashed assets for a year, and picks up a rebuilt page', async () => {
    const dist = mkdtempSync(path.join(tmpdir(), 'vigil-dist-'));
    dirs.push(dist);
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(dist, 'index.html'), '<script src="/assets/index-abc123.js"></script>');
    const app = await serve(dist);

    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('index-abc123.js');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');

    writeFileSync(path.join(dist, 'index.html'), '<script src="/assets/index-def456.js"></script>');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(dist, 'index.html'), later, later);
    expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('index-def456.js');
    await app.close();
  });
});
