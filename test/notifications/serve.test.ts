import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/db.ts';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { enqueueNotification } from '../../src/notifications/notifications.enqueue.ts';
import { runVigil, type Server, startVigil } from '../cli/processes.ts';
import { ALLOW_LOOPBACK } from '../harness/app.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';
import { Listener, MailServer } from './helpers.ts';

/*
 * `vigil serve` runs the notification loop on the real clock, with providers from its environment:
 * a notification enqueued by another process (as the escalation engine of another instance would)
 * is sent by e-mail and to a chat with nobody running a pass by hand. PostgreSQL only: on PGlite the
 * server owns the database and no other process can enqueue.
 */

let server: Server | undefined;
let database: TestDatabase | undefined;
let http: Listener | undefined;
let smtp: MailServer | undefined;
afterAll(async () => {
  await server?.stop();
  await database?.drop();
  await http?.close();
  await smtp?.close();
});

describe('notification delivery in vigil serve', { timeout: 120_000 }, () => {
  it.skipIf(!TEST_DATABASE_URL)('delivers enqueued notifications by itself', async () => {
    http = await Listener.start();
    smtp = await MailServer.start();
    database = await createTestDatabase({ migrated: false });
    const env = {
      DATABASE_URL: database.url!,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'vigil@serve.test',
      ...ALLOW_LOOPBACK,
    };
    const created = await runVigil(
      ['account', 'create', '--name', 'Notify', '--email', 'ops@notify.test'],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { account_id, member_id, app_key } = JSON.parse(created.stdout.trim().split('\n').at(-1)!);
    server = await startVigil(env);
    const response = await fetch(`${server.url}/incident/create?app_key=${app_key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ incident_severity: 'Critical', title: 'Checkout is down' }),
    });
    const incidentId = ((await response.json()) as any).data.incident_id as string;

    const db = await openDb({ databaseUrl: database.url! });
    try {
      const base = {
        accountId: account_id,
        incidentId,
        step: 'manual:1',
        personId: member_id,
        templateId: DEFAULT_TEMPLATE_ID,
        nowMs: Date.now(),
      };
      await enqueueNotification(db.q, {
        ...base,
        recipient: `person:${member_id}`,
        channel: 'email',
        target: { address: 'ops@notify.test' },
      });
      await enqueueNotification(db.q, {
        ...base,
        recipient: 'chat:ops',
        channel: 'slack',
        target: { url: `${http.base}/slack` },
      });
      for (let i = 0; i < 100 && (smtp.mails.length < 1 || http.hits.length < 1); i++) await sleep(100);
      expect(smtp.mails.map((m) => m.to)).toEqual([['ops@notify.test']]);
      expect(smtp.mails[0]!.data).toContain('Checkout is down');
      expect(http.hits.map((h) => h.body.text.includes('Checkout is down'))).toEqual([true]);
      const statuses = () =>
        db.q.selectFrom('notification_deliveries').select(['channel', 'status']).orderBy('channel').execute();
      for (let i = 0; i < 50 && (await statuses()).some((r) => r.status !== 'success'); i++) await sleep(100);
      expect(await statuses()).toEqual([
        { channel: 'email', status: 'success' },
        { channel: 'slack', status: 'success' },
      ]);
    } finally {
      await db.close();
    }
  });
});
