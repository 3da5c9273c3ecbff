import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { freePort } from '../../harness/ports.ts';
import { newChannel } from '../helpers.ts';

let t: TestApp;
let owner: TestAccount;
let transport: Transporter;

beforeAll(async () => {
  const port = await freePort();
  t = await startTestApp({
    env: { INBOUND_SMTP_PORT: String(port), INBOUND_SMTP_HOST: '127.0.0.1', INBOUND_SMTP_MAX_BYTES: '8192' },
  });
  owner = await t.newAccount();
  // A real SMTP client, as a monitoring system's mailer would be.
  transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  for (let i = 0; ; i++) {
    try {
      await transport.verify();
      break;
    } catch (error) {
      if (i > 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
});
afterAll(async () => {
  transport.close();
  await t.close();
});

async function newMailIntegration(settings: Record<string, unknown>) {
  const channelId = await newChannel(t, owner);
  const res = await t.post(
    '/datasource/upsert',
    { name: 'mail', plugin_type: 'alert.email', channel_id: channelId, settings },
    owner.appKey,
  );
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
  return { id: res.body.data.integration_id as number, key: res.body.data.integration_key as string };
}

const alertsOf = (integrationId: number) =>
  t.db.q.selectFrom('alerts').selectAll().where('integration_id', '=', integrationId).execute();

const send = async (to: string, subject: string, text = 'details') => {
  const info = await transport.sendMail({ from: 'monitor@example.com', to, subject, text });
  await t.waitForApplied();
  return info;
};

describe('e-mail integrations (inbound SMTP)', () => {
  it('opens an alert from a mail to <key>@any-domain and recovers it by a subject pattern', async () => {
    const mail = await newMailIntegration({ recovery_patterns: ['^RECOVERY:\\s*', '(?i)\\s*is ok now$'] });
    const info = await send(`${mail.key}@alerts.example.org`, 'Disk full on db-1', 'Only 2% left on /var.');
    expect(info.accepted).toEqual([`${mail.key}@alerts.example.org`]);
    const [alert] = await alertsOf(mail.id);
    expect(alert).toMatchObject({
      title: 'Disk full on db-1',
      description: 'Only 2% left on /var.',
      alert_status: 'Warning',
      end_time: 0,
    });
    expect(alert!.labels).toMatchObject({ from: 'monitor@example.com' });

    await send(`${mail.key}@another.example`, 'RECOVERY: Disk full on db-1');
    const [closed] = await alertsOf(mail.id);
    expect(closed!.alert_status).toBe('Ok');
    expect(closed!.end_time).toBeGreaterThan(0);
  });

  it('bounces unknown addresses and other types of keys with 550, oversized mail with 552', async () => {
    const mail = await newMailIntegration({});
    const unknown = await transport
      .sendMail({ from: 'm@example.com', to: 'nobody@example.com', subject: 'x', text: 'y' })
      .catch((error: { responseCode?: number; response?: string }) => error);
    expect(unknown).toMatchObject({ responseCode: 550 });
    expect((unknown as { response: string }).response).toContain('no e-mail integration');

    const std = await t.post(
      '/datasource/upsert',
      { name: 'std', plugin_type: 'alert.standard' },
      owner.appKey,
    );
    const wrongType = await transport
      .sendMail({
        from: 'm@example.com',
        to: `${std.body.data.integration_key}@x.org`,
        subject: 'x',
        text: 'y',
      })
      .catch((error: { responseCode?: number }) => error);
    expect(wrongType).toMatchObject({ responseCode: 550 });

    const big = await transport
      .sendMail({ from: 'm@example.com', to: `${mail.key}@x.org`, subject: 'big', text: 'x'.repeat(20_000) })
      .catch((error: { responseCode?: number }) => error);
    expect(big).toMatchObject({ responseCode: 552 });
    await t.waitForApplied();
    expect(await alertsOf(mail.id)).toEqual([]);
  });

  it('takes its severity from the settings, and refuses a bad recovery pattern naming it', async () => {
    const mail = await newMailIntegration({ severity: 'Critical' });
    await send(`${mail.key}@example.com`, 'Backup failed');
    expect((await alertsOf(mail.id))[0]).toMatchObject({ alert_status: 'Critical' });
    const bad = await t.post(
      '/datasource/upsert',
      { name: 'bad', plugin_type: 'alert.email', settings: { recovery_patterns: ['ok', '(?<=x)y'] } },
      owner.appKey,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toContain('settings.recovery_patterns[1]');
  });
});
