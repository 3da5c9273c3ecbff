import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { freePort } from '../harness/ports.ts';
import { newChannel, newIntegration } from './helpers.ts';

/*
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager, installed by .ci/run) delivers
 * its webhook to Vigil over HTTP: the incident opens with the alert's title, severity and labels,
 * and closes when Alertmanager reports the alert resolved.
 */

const BINARY = 'prometheus-alertmanager';
const installed = (() => {
  try {
    execFileSync(BINARY, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let t: TestApp | undefined;
let alertmanager: ChildProcess | undefined;
afterAll(async () => {
  alertmanager?.kill('SIGKILL');
  await t?.close();
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// CI installs Alertmanager and must run this; a developer machine without it skips the block.
describe.runIf(installed || process.env.CI)('Prometheus Alertmanager end to end', () => {
  it('opens an incident from a firing alert and closes it when the alert resolves', async () => {
    t = await startTestApp();
    const owner: TestAccount = await t.newAccount();
    const channelId = await newChannel(t, owner);
    const { integrationId, key } = await newIntegration(t, owner, 'alert.prometheus', channelId);
    const vigilUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });

    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-am-'));
    const config = path.join(dir, 'alertmanager.yml');
    writeFileSync(
      config,
      [
        'route:',
        '  receiver: vigil',
        "  group_by: ['alertname']",
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: vigil',
        '    webhook_configs:',
        `      - url: '${vigilUrl}/event/push/alert/prometheus?integration_key=${key}'`,
        '        send_resolved: true',
        '',
      ].join('\n'),
    );
    const port = await freePort();
    alertmanager = spawn(
      BINARY,
      [
        `--config.file=${config}`,
        `--storage.path=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
      ],
      { stdio: 'ignore' },
    );
    const api = `http://127.0.0.1:${port}/api/v2`;
    await waitFor('Alertmanager to answer', async () =>
      (await fetch(`${api}/status`).catch(() => undefined))?.ok ? true : undefined,
    );

    const labels = { alertname: 'HighCPU', severity: 'critical', instance: 'web-1', job: 'node' };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const fire = await fetch(`${api}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, annotations: { summary: 'CPU above 90% on web-1' }, startsAt }]),
    });
    expect(fire.ok).toBe(true);

    const incident = await waitFor('the incident', () =>
      t!.db.q.selectFrom('incidents').selectAll().where('channel_id', '=', channelId).executeTakeFirst(),
    );
    expect(incident).toMatchObject({
      title: 'HighCPU: CPU above 90% on web-1',
      incident_severity: 'Critical',
      progress: 'Triggered',
      integration_id: integrationId,
    });
    expect(incident.labels).toMatchObject(labels);

    const resolve = await fetch(`${api}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels,
          annotations: { summary: 'CPU above 90% on web-1' },
          startsAt,
          endsAt: new Date(Date.now() - 1000).toISOString(),
        },
      ]),
    });
    expect(resolve.ok).toBe(true);
    const closed = await waitFor('the incident to close', async () => {
      const row = await t!.db.q
        .selectFrom('incidents')
        .selectAll()
        .where('incident_id', '=', incident.incident_id)
        .executeTakeFirstOrThrow();
      return row.progress === 'Closed' ? row : undefined;
    });
    expect(closed).toMatchObject({ incident_status: 'Ok', active_alert_cnt: 0, closer_id: 0 });
  });
});
