import { execFileSync } from 'node:child_process';
import { createSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, push } from '../helpers.ts';

/*
 * AWS CloudWatch alarms through SNS (docs/sources.md "AWS CloudWatch"). SNS messages as in
 * https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html (SubscriptionConfirmation,
 * Notification), signed as https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 * describes, with a key and self-signed certificate made here (openssl); the alarm in the Message is
 * the example of https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 * ("Example of an alarm notification"). A little server plays SNS: it serves the certificate and
 * records subscription confirmations.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let dir: string;
let sns: Server;
let base: string;
let key: string;
const confirmed: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-sns-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sns.test'].concat([
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ]),
    { stdio: 'ignore' },
  );
  key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  sns = createServer((req, res) => {
    if (req.url === '/SimpleNotificationService-test.pem') {
      res.end(cert);
    } else if (req.url?.startsWith('/?Action=ConfirmSubscription')) {
      confirmed.push(req.url);
      res.end('<ConfirmSubscriptionResponse/>');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => sns.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(sns.address() as AddressInfo).port}`;
  t = await startTestApp({
    env: { AWS_SNS_URL_PATTERN: `^${base.replaceAll('.', '\\.')}/`, OUTBOUND_ALLOW: '127.0.0.1/32' },
  });
  owner = await t.newAccount();
  other = await t.newAccount('other');
});
afterAll(async () => {
  await t?.close();
  await new Promise((resolve) => sns?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:CPUAlarm';

const ALARM = {
  AlarmName: 'awsec2-i-08d4f7a8d3b0e7f7a-High-CPU-Utilization',
  AlarmDescription: 'Created from EC2 Console',
  AWSAccountId: '123456789012',
  AlarmConfigurationUpdatedTimestamp: '2021-07-14T23:14:46.186+0000',
  NewStateValue: 'ALARM',
  NewStateReason:
    'Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (14/07/21 23:15:00)] was greater than or equal to the threshold (70.0) (minimum 1 datapoint for OK -> ALARM transition).',
  StateChangeTime: '2021-07-14T23:20:50.708+0000',
  Region: 'US East (N. Virginia)',
  AlarmArn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:awsec2-i-08d4f7a8d3b0e7f7a-High-CPU-Utilization',
  OldStateValue: 'OK',
  OKActions: [],
  AlarmActions: [TOPIC],
  InsufficientDataActions: [],
  Trigger: {
    MetricName: 'CPUUtilization',
    Namespace: 'AWS/EC2',
    StatisticType: 'Statistic',
    Statistic: 'AVERAGE',
    Unit: null,
    Dimensions: [{ value: 'i-08d4f7a8d3b0e7f7a', name: 'InstanceId' }],
    Period: 300,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Threshold: 70.0,
    TreatMissingData: '',
    EvaluateLowSampleCountPercentile: '',
  },
};

/** Signs an SNS message as SNS does: `name\nvalue\n` for each signed field present, in this order. */
function signed(message: Record<string, string>, version = '1'): Record<string, string> {
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = fields
    .filter((f) => message[f] !== undefined)
    .map((f) => `${f}\n${message[f]}\n`)
    .join('');
  const signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256')
    .update(text)
    .sign(key, 'base64');
  return {
    ...message,
    SignatureVersion: version,
    Signature: signature,
    SigningCertURL: `${base}/SimpleNotificationService-test.pem`,
  };
}

const notification = (alarm: object, extra: Record<string, string> = {}) =>
  signed({
    Type: 'Notification',
    MessageId: crypto.randomUUID(),
    TopicArn: TOPIC,
    Subject: 'ALARM: "High CPU" in US East (N. Virginia)',
    Message: JSON.stringify(alarm),
    Timestamp: '2021-07-14T23:20:50.757Z',
    UnsubscribeURL: `${base}/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:c9135db0`,
    ...extra,
  });

/** SNS posts its JSON with Content-Type text/plain. */
const post = (integrationKey: string, message: unknown) =>
  push(
    t,
    '/event/push/alert/aws/cloudwatch',
    integrationKey,
    JSON.stringify(message),
    'text/plain; charset=UTF-8',
  );

const alertsOf = (integrationId: number) =>
  t.db.q.selectFrom('alerts').selectAll().where('integration_id', '=', integrationId).execute();

async function cloudwatch(account = owner) {
  return newIntegration(t, account, 'alert.aws-cloudwatch', await newChannel(t, account));
}

describe('AWS CloudWatch through SNS', () => {
  it('confirms a signed subscription by fetching its SubscribeURL', async () => {
    const { key: integrationKey } = await cloudwatch();
    const subscribeUrl = `${base}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37fb687f5d51e6e2425`;
    const res = await post(
      integrationKey,
      signed({
        Type: 'SubscriptionConfirmation',
        MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
        Token: '2336412f37fb687f5d51e6e2425',
        TopicArn: TOPIC,
        Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
        SubscribeURL: subscribeUrl,
        Timestamp: '2012-04-26T20:45:04.751Z',
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ alert_keys: [] });
    expect(confirmed).toEqual([subscribeUrl.slice(base.length)]);
  });

  it('opens an alert keyed by the alarm ARN on ALARM, and OK recovers it (SignatureVersion 1 and 2)', async () => {
    const { integrationId, key: integrationKey } = await cloudwatch();
    const res = await post(integrationKey, notification(ALARM));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ alert_keys: [ALARM.AlarmArn] });
    let [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      alert_key: ALARM.AlarmArn,
      title: ALARM.AlarmName,
      description: `${ALARM.NewStateReason}\n\nCreated from EC2 Console`,
      alert_severity: 'Critical',
      start_time: Math.floor(Date.UTC(2021, 6, 14, 23, 20, 50) / 1000),
    });
    expect(alert!.labels).toEqual({
      alarm_name: ALARM.AlarmName,
      alarm_arn: ALARM.AlarmArn,
      account_id: '123456789012',
      region: 'US East (N. Virginia)',
      old_state: 'OK',
      new_state: 'ALARM',
      topic_arn: TOPIC,
      metric_name: 'CPUUtilization',
      namespace: 'AWS/EC2',
      statistic: 'AVERAGE',
      comparison_operator: 'GreaterThanOrEqualToThreshold',
      threshold: '70',
      'dimension.InstanceId': 'i-08d4f7a8d3b0e7f7a',
    });
    const ok = {
      ...ALARM,
      NewStateValue: 'OK',
      OldStateValue: 'ALARM',
      StateChangeTime: '2021-07-14T23:30:50.708+0000',
    };
    const v2 = signed({ ...notification(ok), Signature: '', SignatureVersion: '' }, '2');
    expect((await post(integrationKey, v2)).status).toBe(200);
    [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({ alert_status: 'Ok' });
  });

  it('maps INSUFFICIENT_DATA to Info', async () => {
    const { integrationId, key: integrationKey } = await cloudwatch();
    await post(integrationKey, notification({ ...ALARM, NewStateValue: 'INSUFFICIENT_DATA' }));
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_severity: 'Info' });
  });
});

describe('AWS CloudWatch refusals', () => {
  it('refuses unsigned, tampered and wrongly certified messages, and stores nothing', async () => {
    const { integrationId, key: integrationKey } = await cloudwatch();
    const good = notification(ALARM);
    const cases: [unknown, string][] = [
      [{ ...good, Signature: undefined }, 'Signature'],
      [{ ...good, Message: JSON.stringify({ ...ALARM, AlarmName: 'Tampered' }) }, 'Signature'],
      [{ ...good, Subject: 'changed' }, 'Signature'],
      [{ ...good, Signature: Buffer.from('not a signature').toString('base64') }, 'Signature'],
      [{ ...good, SigningCertURL: 'https://evil.example/cert.pem' }, 'SigningCertURL'],
      [{ ...good, SignatureVersion: '3' }, 'SignatureVersion'],
      [{ ...good, Type: 'Surprise' }, 'Type'],
      [notification({ ...ALARM, NewStateValue: 'MAYBE' }), 'NewStateValue'],
      [notification({ AlarmArn: 'x', NewStateValue: 'ALARM' }), 'AlarmName'],
      [signed({ ...good, Message: 'not json', Signature: '' }), 'Message'],
    ];
    for (const [message, field] of cases) {
      const res = await post(integrationKey, message);
      expect(res.status, `${field}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message).toContain(field);
    }
    const notJson = await push(t, '/event/push/alert/aws/cloudwatch', integrationKey, 'hello', 'text/plain');
    expect(notJson.status).toBe(400);
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it("another account's key cannot touch this account's alarms", async () => {
    const mine = await cloudwatch(owner);
    const theirs = await cloudwatch(other);
    await post(mine.key, notification(ALARM));
    expect((await post(theirs.key, notification({ ...ALARM, NewStateValue: 'OK' }))).status).toBe(200);
    expect((await alertsOf(mine.integrationId))[0]).toMatchObject({ alert_status: 'Critical', end_time: 0 });
    expect((await alertsOf(theirs.integrationId)).map((a) => a.alert_status)).toEqual([]);
  });
});
