import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/db/db.ts';
import { DEFAULT_TEMPLATE_ID } from '../../src/notifications/default-template.ts';
import { enqueueNotification } from '../../src/notifications/notifications.enqueue.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { runVigil, type Server, startVigil } from '../cli/processes.ts';
import { startTestApp, type TestApp } from '../harness/app.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../harness/database.ts';
import { ok } from '../webhooks/helpers.ts';
import { MailServer, messageIdOf, notificationWorker } from './helpers.ts';

/*
 * The crash, reproduced: `vigil serve` has 8 e-mails in flight (the SMTP server has them and
 * holds its answers) when it is killed with SIGKILL. Its leases end within 30 s of the kill, and
 * another instance then sends the 8 again with the Message-IDs of the first copies, so mail clients
 * can drop them; the delivery log shows each notification's two attempts. PostgreSQL only: on
 * PGlite the server owns the database and no second instance can share it.
 */

let server: Server | undefined;
let database: TestDatabase | undefined;
let smtp: MailServer | undefined;
let db: Db | undefined;
let other: TestApp | undefined;
afterAll(async () => {
  if (server && server.process.exitCode === null && server.process.signalCode === null) await server.stop();
  await other?.close();
  await db?.close();
  await database?.drop();
  await smtp?.close();
});

describe('a server killed with e-mails in flight', { timeout: 120_000 }, () => {
  it.skipIf(!TEST_DATABASE_URL)(
    'is relieved within the 30 s lease by another instance, which sends the same Message-IDs',
    async () => {
      smtp = await MailServer.start();
      database = await createTestDatabase({ migrated: false });
      const env = { DATABASE_URL: database.url!, SMTP_URL: smtp.url, SMTP_FROM: 'Vigil <vigil@crash.test>' };
      const created = await runVigil(
        ['account', 'create', '--name', 'Crash', '--email', 'ops@crash.test'],
        env,
      );
      expect(created.code, created.stderr).toBe(0);
      const { account_id, app_key } = JSON.parse(created.stdout.trim().split('\n').at(-1)!);
      server = await startVigil(env);
      const response = await fetch(`${server.url}/incident/create?app_key=${app_key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ incident_severity: 'Critical', title: 'Checkout is down' }),
      });
      const incidentId = ((await response.json()) as any).data.incident_id as string;

      db = await openDb({ databaseUrl: database.url! });
      smtp.hold();
      const ids: number[] = [];
      for (let i = 0; i < 8; i++) {
        const address = `oncall${i}@crash.test`;
        const id = await enqueueNotification(db.q, {
          accountId: account_id,
          incidentId,
          step: 'manual:1',
          recipient: `email:${address}`,
          channel: 'email',
          target: { address },
          templateId: DEFAULT_TEMPLATE_ID,
          nowMs: Date.now(),
        });
        ids.push(id!);
      }
      for (let i = 0; i < 200 && smtp.mails.length < 8; i++) await sleep(25);
      expect(smtp.mails).toHaveLength(8);

      const killedAt = Date.now();
      server.process.kill('SIGKILL');
      await once(server.process, 'close');
      smtp.release();
      const rows = await db.q
        .selectFrom('notification_deliveries')
        .select(['notification_id', 'status', 'attempt', 'next_attempt_at', 'created_at'])
        .where('notification_id', 'in', ids)
        .orderBy('notification_id')
        .execute();
      expect(rows.map((r) => [r.status, r.attempt])).toEqual(ids.map(() => ['pending', 1]));
      // Held at the kill, and for at most 30 s after it.
      for (const row of rows) {
        expect(row.next_attempt_at).toBeGreaterThan(killedAt);
        expect(row.next_attempt_at).toBeLessThanOrEqual(killedAt + 30_000);
      }

      // Another instance on the same database, its clock at the kill, then 30 s later.
      other = await startTestApp({ database: { db, url: database.url!, drop: async () => {} } });
      const clock = new ManualClock(killedAt);
      const worker = notificationWorker(other, env, { clock });
      try {
        expect(await worker.runOnce()).toMatchObject({ claimed: 0 });
        clock.advance(30_000);
        expect(await worker.runOnce()).toMatchObject({ claimed: 8, delivered: 8 });
      } finally {
        worker.closeProviders();
      }
      expect(smtp.mails).toHaveLength(16);
      for (const row of rows) {
        const address = smtp.mails.find((m) => m.data.includes(`vigil-notification-${row.notification_id}-`))!
          .to[0]!;
        const copies = smtp.mails.filter((m) => m.to[0] === address).map(messageIdOf);
        expect(copies).toEqual([
          `<vigil-notification-${row.notification_id}-${row.created_at}@crash.test>`,
          `<vigil-notification-${row.notification_id}-${row.created_at}@crash.test>`,
        ]);
      }

      const log = ok(
        await other.post('/incident/notification/list', { incident_id: incidentId }, app_key),
      ).items;
      expect(log).toHaveLength(8);
      for (const item of log) {
        expect(item).toMatchObject({ status: 'success', attempt: 2 });
        expect(item.attempts.map((a: any) => [a.attempt, a.status, a.lease_lost])).toEqual([
          [1, 'abandoned', true],
          [2, 'success', false],
        ]);
      }
    },
  );
});
