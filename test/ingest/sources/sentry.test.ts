import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../../harness/app.ts';
import { newChannel, newIntegration, pushesOverTheIntegrationLimit } from '../helpers.ts';

/*
 * Sentry's webhooks (docs/sources.md "Sentry"). Payloads from Sentry's documentation:
 * - issue alert: the example of https://docs.sentry.io/organization/integrations/integration-platform/webhooks/issue-alerts/
 *   (its stack trace, SDK and request left out: Vigil reads none of them);
 * - metric alert: the example of …/webhooks/metric-alerts/ (action resolved; critical and warning
 *   are the same body with that action, as the page's `action` attribute lists);
 * - issue: the example of …/webhooks/issues/ (action created; resolved is the same issue with that
 *   action and status);
 * - legacy WebHooks plugin: the fields of getsentry/sentry src/sentry/plugins/sentry_webhooks/plugin.py
 *   get_group_data, with the values of its test (tests/sentry/plugins/sentry_webhooks/test_plugin.py:
 *   message "Hello world", level warning, rule "my rule").
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  other = await t.newAccount('other');
});
afterAll(() => t.close());

const ISSUE_ALERT = {
  action: 'triggered',
  actor: { id: 'sentry', name: 'Sentry', type: 'application' },
  data: {
    event: {
      _ref: 1,
      _ref_version: 2,
      contexts: {
        browser: { name: 'Chrome', type: 'browser', version: '75.0.3770' },
        os: { name: 'Mac OS X', type: 'os', version: '10.14.0' },
      },
      culprit: '?(<anonymous>)',
      datetime: '2019-08-19T21:06:17.677000Z',
      dist: null,
      event_id: 'e4874d664c3540c1a32eab185f12c5ab',
      fingerprint: ['{{ default }}'],
      hashes: ['29f7ffc4903a8a990408b80a3b4c95a2'],
      issue_url: 'https://sentry.io/api/0/issues/1117540176/',
      issue_id: '1117540176',
      key_id: '667532',
      level: 'error',
      location: '<anonymous>',
      logger: '',
      message: '',
      metadata: { filename: '<anonymous>', type: 'ReferenceError', value: 'heck is not defined' },
      platform: 'javascript',
      project: 1,
      received: 1566248777.677,
      release: null,
      tags: [
        ['browser', 'Chrome 75.0.3770'],
        ['browser.name', 'Chrome'],
        ['handled', 'no'],
        ['level', 'error'],
        ['mechanism', 'onerror'],
        ['os', 'Mac OS X 10.14.0'],
        ['os.name', 'Mac OS X'],
        ['user', 'ip:162.217.75.90'],
        ['url', 'https://null.jsbin.com/runner'],
      ],
      time_spent: null,
      timestamp: 1566248777.677,
      title: 'ReferenceError: heck is not defined',
      type: 'error',
      url: 'https://sentry.io/api/0/projects/test-org/front-end/events/e4874d664c3540c1a32eab185f12c5ab/',
      user: { ip_address: '162.218.85.90' },
      version: '7',
      web_url:
        'https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/',
    },
    triggered_rule: 'Very Important Alert Rule!',
    issue_alert: { title: 'Very Important Alert Rule!', settings: [{ name: 'channel', value: '#general' }] },
  },
  installation: { uuid: 'a8e5d37a-696c-4c54-adb5-b3f28d64c7de' },
};

const METRIC_ALERT = {
  action: 'resolved',
  actor: { id: 'sentry', name: 'Sentry', type: 'application' },
  data: {
    description_text: '1000 events in the last 10 minutes\\nFilter: level:error',
    description_title: 'Resolved: Too many errors',
    metric_alert: {
      alert_rule: {
        aggregate: 'count()',
        created_by: null,
        dataset: 'events',
        date_created: '2020-09-13T12:26:40.000000Z',
        date_modified: '2020-09-13T12:26:40.000000Z',
        environment: null,
        id: '7',
        include_all_projects: false,
        name: 'Too many errors',
        organization_id: '5',
        projects: ['bar'],
        query: 'level:error',
        resolution: 1,
        resolve_threshold: null,
        status: 0,
        threshold_period: 1,
        threshold_type: 0,
        time_window: 10,
        triggers: [],
      },
      date_closed: null,
      date_created: '2020-09-13T12:26:40.000000Z',
      date_detected: '2020-09-13T12:26:40.000000Z',
      date_started: '2020-09-13T12:26:40.000000Z',
      id: '4',
      identifier: '1',
      organization_id: '5',
      projects: ['bar'],
      status: 2,
      status_method: 3,
      title: 'Sacred Marmot',
      type: 2,
    },
    web_url: 'https://sentry.io/organizations/baz/alerts/1/',
  },
  installation: { uuid: 'a8e5d37a-696c-4c54-adb5-b3f28d64c7de' },
};

const ISSUE = {
  action: 'created',
  actor: { id: 'sentry', name: 'Sentry', type: 'application' },
  data: {
    issue: {
      annotations: [],
      assignedTo: null,
      count: '1',
      culprit: '?(runner)',
      firstSeen: '2019-08-19T20:58:37.391000Z',
      hasSeen: false,
      id: '1170820242',
      isBookmarked: false,
      isPublic: false,
      isSubscribed: false,
      lastSeen: '2019-08-19T20:58:37.391000Z',
      level: 'error',
      logger: null,
      metadata: { filename: '/runner', type: 'ReferenceError', value: 'blooopy is not defined' },
      numComments: 0,
      permalink: null,
      platform: 'javascript',
      project: { id: '1', name: 'front-end', platform: '', slug: 'front-end' },
      shareId: null,
      shortId: 'FRONT-END-9',
      status: 'unresolved',
      statusDetails: {},
      subscriptionDetails: null,
      substatus: 'escalating',
      title: 'ReferenceError: blooopy is not defined',
      type: 'error',
      userCount: 1,
    },
  },
  installation: { uuid: 'a8e5d37a-696c-4c54-adb5-b3f28d64c7de' },
};

const LEGACY = {
  id: '1117540176',
  project: 'front-end',
  project_name: 'Front End',
  project_slug: 'front-end',
  logger: null,
  level: 'warning',
  culprit: 'index',
  message: 'Hello world',
  url: 'https://sentry.io/organizations/test-org/issues/1117540176/?referrer=webhooks_plugin',
  triggering_rules: ['my rule'],
  event: {
    event_id: 'e4874d664c3540c1a32eab185f12c5ab',
    id: 'e4874d664c3540c1a32eab185f12c5ab',
    level: 'warning',
    message: 'Hello world',
    tags: [
      ['level', 'warning'],
      ['environment', 'production'],
    ],
    timestamp: 1566248777.677,
  },
};

const alertsOf = (integrationId: number) =>
  t.db.q
    .selectFrom('alerts')
    .selectAll()
    .where('integration_id', '=', integrationId)
    .orderBy('alert_key')
    .execute();

async function sentry(account = owner) {
  return newIntegration(t, account, 'alert.sentry', await newChannel(t, account));
}

/** Posts as Sentry does, with its Sentry-Hook-Resource header when given. */
async function post(key: string, body: unknown, resource?: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/event/push/alert/sentry?integration_key=${key}`,
    payload: body as object,
    headers: {
      'content-type': 'application/json',
      ...(resource ? { 'sentry-hook-resource': resource } : {}),
    },
  });
  if (res.statusCode === 200) await t.waitForApplied();
  return { status: res.statusCode, body: res.json() as any };
}

const withAction = <T extends { action: string }>(body: T, action: string): T => ({ ...body, action });

describe('Sentry issue alerts', () => {
  it("maps Sentry's issue alert example, keyed by the issue; the issue's resolved webhook recovers it", async () => {
    const { integrationId, key } = await sentry();
    const res = await post(key, ISSUE_ALERT, 'event_alert');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual({ alert_keys: ['issue:1117540176'] });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      title: 'ReferenceError: heck is not defined',
      description: 'Culprit: ?(<anonymous>)',
      alert_severity: 'Warning',
      start_time: Date.UTC(2019, 7, 19, 21, 6, 17) / 1000,
    });
    expect(alert!.labels).toMatchObject({
      issue_id: '1117540176',
      event_id: 'e4874d664c3540c1a32eab185f12c5ab',
      level: 'error',
      platform: 'javascript',
      project: '1',
      culprit: '?(<anonymous>)',
      triggered_rule: 'Very Important Alert Rule!',
      web_url: ISSUE_ALERT.data.event.web_url,
      issue_url: ISSUE_ALERT.data.event.issue_url,
      browser: 'Chrome 75.0.3770',
      handled: 'no',
    });

    // The same issue resolved in Sentry (the issue webhook, resource `issue`).
    const resolved = {
      ...withAction(ISSUE, 'resolved'),
      data: { issue: { ...ISSUE.data.issue, id: '1117540176', status: 'resolved' } },
    };
    const done = await post(key, resolved, 'issue');
    expect(done.body.data).toEqual({ alert_keys: ['issue:1117540176'] });
    expect((await alertsOf(integrationId))[0]).toMatchObject({ alert_status: 'Ok' });
  });

  it('takes the legacy WebHooks plugin payload, keyed by the same issue id', async () => {
    const { integrationId, key } = await sentry();
    const res = await post(key, LEGACY);
    expect(res.body.data).toEqual({ alert_keys: ['issue:1117540176'] });
    const [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      title: 'Hello world',
      alert_severity: 'Warning',
      description: 'Hello world\nCulprit: index',
    });
    expect(alert!.labels).toMatchObject({
      project: 'front-end',
      project_name: 'Front End',
      level: 'warning',
      triggered_rule: 'my rule',
      environment: 'production',
      web_url: LEGACY.url,
    });
  });

  it('other issue actions, and resources that are no alert, are accepted without an event', async () => {
    const { integrationId, key } = await sentry();
    for (const action of ['created', 'assigned', 'archived', 'unresolved']) {
      const res = await post(key, withAction(ISSUE, action), 'issue');
      expect(res.body.data, action).toEqual({ alert_keys: [] });
    }
    const installed = await post(
      key,
      { action: 'created', data: { installation: { uuid: 'x' } } },
      'installation',
    );
    expect(installed.body.data).toEqual({ alert_keys: [] });
    expect(await alertsOf(integrationId)).toEqual([]);
  });
});

describe('Sentry metric alerts', () => {
  it('critical, then warning, then resolved move one alert keyed by the metric alert', async () => {
    const { integrationId, key } = await sentry();
    const critical = await post(key, withAction(METRIC_ALERT, 'critical'), 'metric_alert');
    expect(critical.body.data).toEqual({ alert_keys: ['metric_alert:4'] });
    let [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({
      title: 'Too many errors',
      description: '1000 events in the last 10 minutes\\nFilter: level:error',
      alert_severity: 'Critical',
      start_time: Date.UTC(2020, 8, 13, 12, 26, 40) / 1000,
    });
    expect(alert!.labels).toEqual({
      action: 'critical',
      metric_alert_id: '4',
      identifier: '1',
      alert_rule_id: '7',
      aggregate: 'count()',
      query: 'level:error',
      dataset: 'events',
      time_window: '10',
      projects: 'bar',
      web_url: 'https://sentry.io/organizations/baz/alerts/1/',
    });
    await post(key, withAction(METRIC_ALERT, 'warning'));
    [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({ alert_status: 'Warning' });
    // Sentry's own example, without the header: the body says it is a metric alert.
    await post(key, METRIC_ALERT);
    [alert] = await alertsOf(integrationId);
    expect(alert).toMatchObject({ alert_status: 'Ok' });
  });
});

describe('Sentry bad input and tenancy', () => {
  it('refuses a wrong-shape payload naming what is missing, storing nothing', async () => {
    const { integrationId, key } = await sentry();
    const cases: [unknown, string | undefined, string][] = [
      [{ action: 'triggered' }, undefined, 'data'],
      [{ action: 'triggered', data: {} }, 'event_alert', 'data.event'],
      [{ action: 'triggered', data: { event: { title: 'x' } } }, 'event_alert', 'data.event.issue_id'],
      [{ action: 'critical', data: { metric_alert: { title: 'x' } } }, undefined, 'data.metric_alert.id'],
      [{ action: 'resolved', data: {} }, 'issue', 'data.issue'],
      [{ action: 'critical', data: { metric_alert: { id: { no: 1 } } } }, undefined, 'data.metric_alert.id'],
    ];
    for (const [body, resource, field] of cases) {
      const res = await post(key, body, resource);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('InvalidParameter');
      expect(res.body.error.message).toContain(field);
    }
    expect(await alertsOf(integrationId)).toEqual([]);
  });

  it("another account's key cannot resolve this account's issue", async () => {
    const mine = await sentry(owner);
    const theirs = await sentry(other);
    await post(mine.key, ISSUE_ALERT, 'event_alert');
    await post(theirs.key, withAction(ISSUE, 'resolved'), 'issue');
    await post(
      theirs.key,
      { ...withAction(ISSUE, 'resolved'), data: { issue: { id: '1117540176' } } },
      'issue',
    );
    expect((await alertsOf(mine.integrationId)).map((a) => a.alert_status)).toEqual(['Warning']);
    expect(await alertsOf(theirs.integrationId)).toEqual([]);
  });

  it('applies the per-integration rate limit', async () => {
    const { key } = await sentry();
    const answers = await pushesOverTheIntegrationLimit(t, '/event/push/alert/sentry', key, ISSUE_ALERT);
    expect(answers).toEqual({ statuses: [200, 429, 429], refusedCode: 'RequestTooFrequently' });
  });
});
