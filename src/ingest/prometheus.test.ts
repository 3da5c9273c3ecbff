// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is title_rule syntax under test, not a template literal
import { describe, expect, it } from 'vitest';
import { validatorCompiler } from '../http/validation.ts';
import { type IngestContext, shortHash, sortedLabelPairs } from './event.ts';
import {
  AlertmanagerPayload,
  alertmanagerSeverity,
  normalizeAlertmanagerPayload,
  rfc3339Seconds,
} from './prometheus.ts';

const NOW = 1_767_600_000;
const ctx: IngestContext = {
  integrationId: 7,
  integrationType: 'alert.prometheus',
  integrationName: 'Prometheus',
  nowSeconds: NOW,
};

type Payload = Parameters<typeof normalizeAlertmanagerPayload>[0];
type Alert = Payload['alerts'][number];

const firing = (over: Partial<Alert> = {}): Alert => ({
  status: 'firing',
  labels: { alertname: 'HighCPU', instance: 'db-1:9100', job: 'node', severity: 'critical' },
  annotations: { summary: 'CPU above 90% on db-1', description: 'CPU has been above 90% for 5 minutes.' },
  startsAt: '2026-01-05T09:00:00.123456789Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu',
  fingerprint: 'c6a5b9e0f3d2a1b4',
  ...over,
});

const payload = (alerts: Alert[], over: Partial<Payload> = {}): Payload => ({
  version: '4',
  groupKey: '{}:{alertname="HighCPU"}',
  truncatedAlerts: 0,
  status: 'firing',
  receiver: 'vigil',
  groupLabels: { alertname: 'HighCPU' },
  commonLabels: { alertname: 'HighCPU' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager:9093',
  alerts,
  ...over,
});

const one = (over: Partial<Alert> = {}) => {
  const { events, warnings } = normalizeAlertmanagerPayload(payload([firing(over)]), ctx);
  expect(events).toHaveLength(1);
  return { event: events[0]!, warnings };
};

const validate = (body: unknown): boolean =>
  (
    validatorCompiler({ schema: AlertmanagerPayload, method: 'POST', url: '/', httpPart: 'body' }) as (
      data: unknown,
    ) => boolean
  )(structuredClone(body));

describe('normalizeAlertmanagerPayload', () => {
  it('turns a firing alert into an event', () => {
    const { event, warnings } = one();
    expect(warnings).toEqual([]);
    expect(event).toEqual({
      alertKey: 'c6a5b9e0f3d2a1b4',
      alertKeyDerived: false,
      titleRule: 'HighCPU: CPU above 90% on db-1',
      title: 'HighCPU: CPU above 90% on db-1',
      description: 'CPU has been above 90% for 5 minutes.',
      status: 'Critical',
      severity: 'Critical',
      eventTime: Date.UTC(2026, 0, 5, 9, 0, 0) / 1000,
      labels: {
        alertname: 'HighCPU',
        generator_url: 'http://prometheus:9090/graph?g0.expr=cpu',
        instance: 'db-1:9100',
        job: 'node',
        severity: 'critical',
      },
      images: [],
    });
  });

  it('makes one event per alert, in order; none for an empty batch', () => {
    const { events } = normalizeAlertmanagerPayload(
      payload([firing(), firing({ status: 'resolved', endsAt: '2026-01-05T09:10:00Z', fingerprint: 'f2' })]),
      ctx,
    );
    expect(events.map((e) => [e.alertKey, e.status])).toEqual([
      ['c6a5b9e0f3d2a1b4', 'Critical'],
      ['f2', 'Ok'],
    ]);
    expect(normalizeAlertmanagerPayload(payload([]), ctx)).toEqual({
      events: [],
      alertKeys: [],
      warnings: [],
    });
  });

  it('keeps only the last alert of each alert key, in its place; alertKeys has one per alert', () => {
    const a = firing({ fingerprint: 'a' });
    const b = firing({ fingerprint: 'b', labels: { alertname: 'Other' } });
    const aResolved = firing({ fingerprint: 'a', status: 'resolved', endsAt: '2026-01-05T09:10:00Z' });
    const { events, alertKeys, warnings } = normalizeAlertmanagerPayload(payload([a, b, a, aResolved]), ctx);
    expect(events.map((e) => [e.alertKey, e.status])).toEqual([
      ['b', 'Warning'],
      ['a', 'Ok'],
    ]);
    expect(alertKeys).toEqual(['a', 'b', 'a', 'a']);
    expect(warnings).toEqual([
      '2 alerts repeat the alert key (fingerprint) of a later alert of this push and were left out: ' +
        'the last alert of each key counts',
    ]);
    // Without fingerprints the key is the labels' hash: the same labels are the same alert.
    const { fingerprint: _, ...noPrint } = firing();
    const derived = normalizeAlertmanagerPayload(
      payload([noPrint, { ...noPrint, annotations: { summary: 'later' } }]),
      ctx,
    );
    expect(derived.events.map((e) => e.title)).toEqual(['HighCPU: later']);
  });

  it('turns 10,000 copies of one alert into one event, quickly', () => {
    const started = performance.now();
    const { events, alertKeys } = normalizeAlertmanagerPayload(
      payload(Array.from({ length: 10_000 }, () => firing({ fingerprint: 'same' }))),
      ctx,
    );
    expect(performance.now() - started).toBeLessThan(500);
    expect(events).toHaveLength(1);
    expect(alertKeys).toHaveLength(10_000);
  });

  it('turns a resolved alert into Ok with Info as the placeholder severity', () => {
    const { event } = one({ status: 'resolved', endsAt: '2026-01-05T09:10:00Z' });
    expect(event).toMatchObject({
      status: 'Ok',
      severity: 'Info',
      eventTime: Date.UTC(2026, 0, 5, 9, 10) / 1000,
    });
  });

  it('warns when Alertmanager truncated the group', () => {
    const { warnings } = normalizeAlertmanagerPayload(payload([firing()], { truncatedAlerts: 3 }), ctx);
    expect(warnings).toEqual(['Alertmanager left out 3 alerts of this group (max_alerts)']);
  });
});

describe('alert_key', () => {
  it('is the fingerprint when present', () => {
    expect(one({ fingerprint: 'abc' }).event).toMatchObject({ alertKey: 'abc', alertKeyDerived: false });
  });

  it('is a 22-character hash of the sorted labels without a fingerprint, the same when firing and resolved', () => {
    const { fingerprint: _, ...noPrint } = firing();
    const a = normalizeAlertmanagerPayload(payload([noPrint]), ctx).events[0]!;
    const reordered = { ...noPrint, labels: Object.fromEntries(Object.entries(noPrint.labels).reverse()) };
    const resolved = { ...reordered, status: 'resolved' as const, annotations: {} };
    const b = normalizeAlertmanagerPayload(payload([reordered, resolved]), ctx);
    expect(a.alertKey).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(a.alertKeyDerived).toBe(true);
    expect(b.alertKeys).toEqual([a.alertKey, a.alertKey]);
    expect(b.events.map((e) => [e.alertKey, e.status])).toEqual([[a.alertKey, 'Ok']]);
    expect(a.alertKey).toBe(shortHash(['vigil/alertmanager/v1', sortedLabelPairs(noPrint.labels)]));
    expect(one({ fingerprint: '' }).event.alertKey).toBe(a.alertKey);
    // Annotations and generatorURL (kept as labels) do not change it.
    expect(
      one({ fingerprint: '', annotations: { runbook: 'x' }, generatorURL: 'http://p/g' }).event.alertKey,
    ).toBe(a.alertKey);
  });

  it('differs when a label differs', () => {
    const a = one({ fingerprint: '' }).event.alertKey;
    const b = one({ fingerprint: '', labels: { ...firing().labels, instance: 'db-2:9100' } }).event.alertKey;
    expect(a).not.toBe(b);
  });

  it('ignores a fingerprint longer than 255 characters', () => {
    const { event, warnings } = one({ fingerprint: 'f'.repeat(256) });
    expect(event.alertKeyDerived).toBe(true);
    expect(warnings).toEqual(['alerts[0].fingerprint was ignored: it is longer than 255 characters']);
  });
});

describe('severity', () => {
  const TABLE: [string, string][] = [
    ...['critical', 'crit', 'fatal', 'error', 'p0', 'p1', 'disaster', 'high'].map((w): [string, string] => [
      w,
      'Critical',
    ]),
    ...['warning', 'warn', 'p2', 'p3', 'average', 'medium'].map((w): [string, string] => [w, 'Warning']),
    ...[
      'info',
      'information',
      'acknowledged',
      'unknown',
      'unk',
      'p4',
      'p5',
      'low',
      'none',
      'ok',
      'debug',
    ].map((w): [string, string] => [w, 'Info']),
  ];

  it('maps every documented word, ignoring case and surrounding spaces', () => {
    for (const [word, severity] of TABLE) {
      expect(alertmanagerSeverity({ severity: word })).toBe(severity);
      expect(alertmanagerSeverity({ severity: ` ${word.toUpperCase()} ` })).toBe(severity);
    }
    expect(alertmanagerSeverity({ severity: 'Critical' })).toBe('Critical');
    expect(alertmanagerSeverity({ severity: 'WaRnInG' })).toBe('Warning');
  });

  it('reads severity, then priority, then level; the first known value wins', () => {
    expect(alertmanagerSeverity({ priority: 'P1' })).toBe('Critical');
    expect(alertmanagerSeverity({ level: 'info' })).toBe('Info');
    expect(alertmanagerSeverity({ severity: 'warning', priority: 'p0', level: 'info' })).toBe('Warning');
    expect(alertmanagerSeverity({ severity: 'page', priority: 'p0' })).toBe('Critical');
    expect(alertmanagerSeverity({ priority: '', level: 'low' })).toBe('Info');
  });

  it('defaults to Warning without a label or with an unknown value', () => {
    expect(alertmanagerSeverity({})).toBe('Warning');
    expect(alertmanagerSeverity({ severity: 'page' })).toBe('Warning');
    expect(alertmanagerSeverity({ Severity: 'critical' })).toBe('Warning');
    expect(alertmanagerSeverity({ severity: 'constructor' })).toBe('Warning');
  });

  it('applies only to firing alerts', () => {
    expect(one({ labels: { severity: 'info' } }).event.status).toBe('Info');
    expect(one({ labels: { severity: 'critical' }, status: 'resolved' }).event.status).toBe('Ok');
  });
});

describe('title and description', () => {
  it('is alertname: summary, the summary alone when it starts with the alert name', () => {
    expect(one({ annotations: { summary: 'HighCPU on db-1' } }).event.title).toBe('HighCPU on db-1');
    expect(one({ annotations: { summary: '  disk full  ' } }).event.title).toBe('HighCPU: disk full');
  });

  it('falls back to the summary, the alertname, then "Prometheus alert"', () => {
    expect(one({ labels: { job: 'x' }, annotations: { summary: 'disk full' } }).event.title).toBe(
      'disk full',
    );
    expect(one({ annotations: {} }).event.title).toBe('HighCPU');
    expect(one({ labels: { job: 'x' }, annotations: { summary: ' ' } }).event.title).toBe('Prometheus alert');
    const { annotations: _, ...bare } = firing({ labels: {} });
    expect(normalizeAlertmanagerPayload(payload([bare]), ctx).events[0]!.title).toBe('Prometheus alert');
  });

  it('stores the concrete text: $ and {{ }} in a summary are not templated', () => {
    const { event } = one({ annotations: { summary: '$job costs $5 [TPL]${job} {{.Labels.job}}' } });
    expect(event.title).toBe('HighCPU: $job costs $5 [TPL]${job} {{.Labels.job}}');
    expect(event.titleRule).toBe(event.title);
    const tpl = one({ labels: {}, annotations: { summary: '[TPL]${job}' } }).event;
    expect(tpl.title).toBe('[TPL]${job}');
  });

  it('cuts the title to 512 code points', () => {
    const { event, warnings } = one({ annotations: { summary: 's'.repeat(600) } });
    expect([...event.title]).toHaveLength(512);
    expect(event.titleRule).toBe(event.title);
    expect(warnings).toEqual(['alerts[0].title_rule was truncated to 512 characters']);
  });

  it('takes the description annotation, else message, else empty', () => {
    expect(one({ annotations: { description: 'd', message: 'm' } }).event.description).toBe('d');
    expect(one({ annotations: { description: '', message: 'm' } }).event.description).toBe('m');
    expect(one({ annotations: { summary: 's' } }).event.description).toBe('');
    expect(one({ annotations: { description: 'x'.repeat(3000) } }).event.description).toHaveLength(2048);
  });
});

describe('labels', () => {
  it('keeps other annotations as annotations.<name>, and generatorURL as generator_url', () => {
    const { event } = one({
      annotations: {
        summary: 's',
        description: 'd',
        message: 'm',
        timestamp: '1700000000',
        runbook_url: 'https://runbooks/cpu',
        empty: '',
      },
    });
    expect(event.labels).toEqual({
      alertname: 'HighCPU',
      'annotations.message': 'm',
      'annotations.runbook_url': 'https://runbooks/cpu',
      generator_url: 'http://prometheus:9090/graph?g0.expr=cpu',
      instance: 'db-1:9100',
      job: 'node',
      severity: 'critical',
    });
    // message became the description, so it is not repeated as a label.
    expect(one({ annotations: { message: 'm' } }).event.labels).not.toHaveProperty('annotations.message');
  });

  it('never lets an extra replace a label of the alert', () => {
    const { event } = one({ labels: { generator_url: 'mine' }, generatorURL: 'http://p/g' });
    expect(event.labels.generator_url).toBe('mine');
    expect(one({ generatorURL: '' }).event.labels).not.toHaveProperty('generator_url');
  });

  it('adds extras only while there is room under 50, and says what was dropped', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 49 }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v']),
    );
    const { event, warnings } = one({ labels, annotations: { b: '2', a: '1', c: '3' } });
    expect(Object.keys(event.labels)).toHaveLength(50);
    expect(event.labels['annotations.a']).toBe('1');
    expect(event.labels).not.toHaveProperty('annotations.b');
    expect(event.labels).not.toHaveProperty('generator_url');
    expect(warnings).toEqual([
      'alerts[0].annotations: 3 labels were dropped: only the first 1 in key order are kept (at most 50 labels)',
    ]);
  });

  it('applies the standard label limits, naming the alert', () => {
    const { event, warnings } = one({
      labels: { alertname: 'A', ['k'.repeat(129)]: 'x', big: 'v'.repeat(2100) },
      annotations: {},
      generatorURL: '',
    });
    expect(event.labels).toEqual({ alertname: 'A', big: 'v'.repeat(2048) });
    expect(warnings).toEqual([
      `alerts[0].labels: label "${'k'.repeat(40)}…" was dropped: its key is longer than 128 characters`,
      'alerts[0].labels.big was truncated to 2048 characters',
    ]);
  });

  it('keeps the first 50 alert labels in key order of 51', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 51 }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v']),
    );
    const { event, warnings } = one({ labels, annotations: { summary: 's', runbook: 'r' } });
    expect(Object.keys(event.labels)).toHaveLength(50);
    expect(event.labels).not.toHaveProperty('l50');
    expect(warnings).toEqual([
      'alerts[0].labels: 1 label was dropped: only the first 50 in key order are kept (at most 50 labels)',
      'alerts[0].annotations: 2 labels were dropped: only the first 0 in key order are kept (at most 50 labels)',
    ]);
  });
});

describe('event time', () => {
  it('takes annotations.timestamp first: Unix seconds, milliseconds or RFC 3339', () => {
    expect(one({ annotations: { timestamp: '1700000000' } }).event.eventTime).toBe(1_700_000_000);
    expect(one({ annotations: { timestamp: '1700000000123' } }).event.eventTime).toBe(1_700_000_000);
    expect(one({ annotations: { timestamp: '2023-11-14T22:13:20+00:00' } }).event.eventTime).toBe(
      1_700_000_000,
    );
    expect(one({ annotations: { timestamp: '2023-11-15T06:13:20+08:00' } }).event.eventTime).toBe(
      1_700_000_000,
    );
  });

  it('warns about an unreadable timestamp annotation and falls back to startsAt', () => {
    const { event, warnings } = one({ annotations: { timestamp: 'yesterday' } });
    expect(event.eventTime).toBe(Date.UTC(2026, 0, 5, 9) / 1000);
    expect(warnings).toEqual([
      'alerts[0].annotations.timestamp was ignored: it is neither Unix seconds nor an RFC 3339 time',
    ]);
  });

  it('takes startsAt when firing and endsAt when resolved', () => {
    const times = { startsAt: '2026-01-05T09:00:00Z', endsAt: '2026-01-05T09:30:00Z' };
    expect(one(times).event.eventTime).toBe(Date.UTC(2026, 0, 5, 9) / 1000);
    expect(one({ ...times, status: 'resolved' }).event.eventTime).toBe(Date.UTC(2026, 0, 5, 9, 30) / 1000);
  });

  it("uses now for a resolved alert with Alertmanager's zero endsAt, without a warning", () => {
    const { event, warnings } = one({ status: 'resolved', endsAt: '0001-01-01T00:00:00Z' });
    expect(event.eventTime).toBe(NOW);
    expect(warnings).toEqual([]);
  });

  it('uses now when the time is missing, zero or malformed', () => {
    const { startsAt: _, ...noStart } = firing();
    expect(normalizeAlertmanagerPayload(payload([noStart]), ctx).events[0]!.eventTime).toBe(NOW);
    expect(one({ startsAt: '0001-01-01T00:00:00Z' }).event.eventTime).toBe(NOW);
    expect(one({ startsAt: '' }).event.eventTime).toBe(NOW);
    const bad = one({ startsAt: 'Jan 5 2026' });
    expect(bad.event.eventTime).toBe(NOW);
    expect(bad.warnings).toEqual(['alerts[0].startsAt was ignored: it is not an RFC 3339 time']);
  });
});

describe('rfc3339Seconds', () => {
  it('parses offsets and any fraction length, flooring to seconds', () => {
    expect(rfc3339Seconds('2023-11-14T22:13:20Z')).toBe(1_700_000_000);
    expect(rfc3339Seconds('2023-11-14T22:13:20.999999999Z')).toBe(1_700_000_000);
    expect(rfc3339Seconds('2023-11-14t22:13:20z')).toBe(1_700_000_000);
    expect(rfc3339Seconds('2023-11-14T17:13:20-05:00')).toBe(1_700_000_000);
    expect(rfc3339Seconds('2023-11-15T03:43:20.5+05:30')).toBe(1_700_000_000);
  });

  it('treats the zero time and anything before 1970 as unset, and refuses malformed times', () => {
    expect(rfc3339Seconds('0001-01-01T00:00:00Z')).toBeUndefined();
    expect(rfc3339Seconds('1969-12-31T23:59:59Z')).toBeUndefined();
    expect(rfc3339Seconds('1970-01-01T00:00:00Z')).toBeUndefined();
    expect(rfc3339Seconds('2023-11-14 22:13:20')).toBeUndefined();
    expect(rfc3339Seconds('2023-13-14T22:13:20Z')).toBeUndefined();
    expect(rfc3339Seconds('2023-11-14T24:13:20Z')).toBeUndefined();
    expect(rfc3339Seconds('1700000000')).toBeUndefined();
  });
});

describe('AlertmanagerPayload', () => {
  it('accepts a real webhook with unknown fields (Grafana, vmalert extras)', () => {
    expect(validate(payload([firing()]))).toBe(true);
    const grafanaAlert: Record<string, unknown> = { ...firing(), values: { A: 1 }, silenceURL: 'x' };
    expect(validate({ ...payload([]), alerts: [grafanaAlert], orgId: 1, title: 't' })).toBe(true);
    expect(validate({ alerts: [{ status: 'resolved', labels: {} }] })).toBe(true);
    expect(validate({ alerts: [] })).toBe(true);
  });

  it('requires alerts, each with a status and string labels', () => {
    expect(validate({ version: '4' })).toBe(false);
    expect(validate({ alerts: [{ labels: {} }] })).toBe(false);
    expect(validate({ alerts: [{ status: 'pending', labels: {} }] })).toBe(false);
    expect(validate({ alerts: [{ status: 'firing' }] })).toBe(false);
    expect(validate({ alerts: [{ status: 'firing', labels: { a: 1 } }] })).toBe(false);
    expect(validate({ alerts: [{ status: 'firing', labels: {}, annotations: { a: true } }] })).toBe(false);
  });

  it('takes at most 10000 alerts', () => {
    const alert = { status: 'firing', labels: {} };
    expect(validate({ alerts: Array.from({ length: 10_000 }, () => alert) })).toBe(true);
    expect(validate({ alerts: Array.from({ length: 10_001 }, () => alert) })).toBe(false);
  });
});
