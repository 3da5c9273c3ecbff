import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, runVigil, vigilProcesses } from '../cli/processes.ts';
import { TEST_DATABASE_URL } from '../harness/database.ts';

/*
 * `vigil backup` while a server works (incidents created all along), then `vigil restore` into an
 * empty target: every incident that existed when the backup began is there. On PGlite the backup
 * goes through the server's control socket; on PostgreSQL it is pg_dump and pg_restore.
 */

const vigil = vigilProcesses('vigil-backup-');
const emptyTarget = () => vigil.databaseEnv();

/** The load below is a closed loop, faster than the default 50 requests/s per account. */
const UNLIMITED = { RATE_LIMIT_ACCOUNT_PER_SECOND: '0', RATE_LIMIT_ACCOUNT_PER_MINUTE: '0' };

async function api(url: string, appKey: string, p: string, body: unknown) {
  const response = await fetch(`${url}${p}?app_key=${appKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as any;
  if (response.status !== 200) throw new Error(`${p}: ${JSON.stringify(json)}`);
  return json.data;
}

async function incidentIds(url: string, appKey: string): Promise<Set<string>> {
  const now = Math.floor(Date.now() / 1000);
  const ids = new Set<string>();
  for (let p = 1; ; p++) {
    const page = await api(url, appKey, '/incident/list', {
      start_time: now - 3600,
      end_time: now + 3600,
      limit: 100,
      p,
    });
    for (const item of page.items) ids.add(item.incident_id);
    if (!page.has_next_page) return ids;
  }
}

describe('vigil backup and restore', { timeout: 240_000 }, () => {
  it('backs up under load and restores every incident that existed when the backup began', async () => {
    const source = await emptyTarget();
    const created = await runVigil(
      ['account', 'create', '--name', 'Backup', '--email', 'ops@backup.test'],
      source,
    );
    expect(created.code, created.stderr).toBe(0);
    const appKey = lastJson(created.stdout).app_key as string;
    const server = await vigil.start({ ...source, ...UNLIMITED });
    const team = await api(server.url, appKey, '/team/upsert', { team_name: 'backup' });
    const channel = await api(server.url, appKey, '/channel/create', {
      team_id: team.team_id,
      channel_name: 'backup',
    });
    const create = async (i: number) =>
      (
        await api(server.url, appKey, '/incident/create', {
          incident_severity: 'Warning',
          title: `incident ${i}`,
          channel_id: channel.channel_id,
        })
      ).incident_id as string;

    const existing: string[] = [];
    for (let i = 0; i < 20; i++) existing.push(await create(i));
    // Load while the backup runs: incidents keep being created until it has finished.
    let loading = true;
    let during = 0;
    const load = (async () => {
      for (let i = 100; loading; i++) {
        await create(i);
        during += 1;
      }
    })();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-backup-file-')), 'vigil.backup');
    const backedUp = await runVigil(['backup', '--out', file], source);
    loading = false;
    await load;
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(lastJson(backedUp.stdout)).toMatchObject({
      file,
      bytes: expect.any(Number),
      database: TEST_DATABASE_URL ? 'postgres' : 'pglite',
    });
    expect(during).toBeGreaterThan(0);
    await server.stop();

    // Not into a target that holds anything.
    const refused = await runVigil(['restore', '--from', file], source);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not empty/);

    const target = await emptyTarget();
    const restored = await runVigil(['restore', '--from', file], target);
    expect(restored.code, restored.stderr).toBe(0);
    const back = await vigil.start({ ...target, ...UNLIMITED });
    const ids = await incidentIds(back.url, appKey);
    for (const id of existing) expect(ids.has(id), id).toBe(true);
    expect(ids.size).toBeGreaterThanOrEqual(existing.length);
    expect(ids.size).toBeLessThanOrEqual(existing.length + during);
    // The restored database works: a new incident can be created.
    expect(
      await api(back.url, appKey, '/incident/create', {
        incident_severity: 'Info',
        title: 'after the restore',
        channel_id: channel.channel_id,
      }),
    ).toMatchObject({ incident_id: expect.any(String) });
  });
});
