import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { lastJson, runVigil, vigilProcesses } from '../cli/processes.ts';

/*
 * SIGTERM to `vigil serve`: /healthz and /readyz answer 503 draining at once while every other
 * request is still served for SHUTDOWN_DRAIN_SECONDS; then a request in flight (its body still
 * arriving) finishes with its answer, and the process exits 0.
 */

const vigil = vigilProcesses('vigil-drain-');
const databaseEnv = () => vigil.databaseEnv();

/** Starts a POST whose body arrives in two parts: `finish()` sends the rest and resolves with the raw answer. */
function slowPost(url: string, pathAndQuery: string, body: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk;
  });
  const ended = new Promise<string>((resolve) => socket.on('close', () => resolve(answer)));
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST ${pathAndQuery} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body.slice(0, half)}`,
  );
  return {
    finish: () => {
      socket.write(body.slice(half));
      return ended;
    },
  };
}

describe('graceful shutdown of vigil serve', { timeout: 120_000 }, () => {
  it('drains, finishes the request in flight and exits 0', async () => {
    const env = { ...(await databaseEnv()), SHUTDOWN_DRAIN_SECONDS: '2', SHUTDOWN_TIMEOUT_SECONDS: '20' };
    const created = await runVigil(
      ['account', 'create', '--name', 'Drain', '--email', 'ops@drain.test'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const appKey = lastJson(created.stdout).app_key as string;
    const server = await vigil.start(env);
    const status = async (p: string, init?: RequestInit) => (await fetch(`${server.url}${p}`, init)).status;
    expect(await status('/healthz')).toBe(200);
    expect(await status('/readyz')).toBe(200);

    const inFlight = slowPost(
      server.url,
      `/member/info?app_key=${appKey}`,
      JSON.stringify({ padding: 'x'.repeat(64) }),
    );
    await sleep(200);
    const exited = new Promise<number | null>((resolve) =>
      server.process.once('exit', (code) => resolve(code)),
    );
    const termAt = Date.now();
    server.process.kill('SIGTERM');

    const deadline = Date.now() + 5_000;
    while ((await status('/healthz')) !== 503 && Date.now() < deadline) await sleep(20);
    const healthz = await fetch(`${server.url}/healthz`);
    expect(healthz.status).toBe(503);
    expect(((await healthz.json()) as any).error).toMatchObject({ code: 'ServiceUnavailable' });
    expect(await status('/readyz')).toBe(503);
    // Still served while the balancer notices.
    expect(await status(`/member/info?app_key=${appKey}`, { method: 'POST' })).toBe(200);

    await sleep(Math.max(0, termAt + 2_500 - Date.now()));
    const answer = await inFlight.finish();
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"member_id"');
    expect(await exited).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(20_000);
  });
});
