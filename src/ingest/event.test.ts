// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is title_rule syntax under test, not a template literal
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validatorCompiler } from '../http/validation.ts';
import {
  derivedAlertKey,
  eventTimeSeconds,
  type IngestContext,
  normalizeStandardEvent,
  type StandardPush,
  StandardPushBody,
  shortHash,
} from './event.ts';

const NOW = 1_767_600_000;
const ctx: IngestContext = {
  integrationId: 101,
  integrationType: 'alert.standard',
  integrationName: 'Custom monitor',
  nowSeconds: NOW,
};

/** The request example of seeds/003. */
const SEED: StandardPush = {
  event_status: 'Warning',
  alert_key: '64f6b9df2007be4b0bfe56f6',
  description: 'cpu idle low than 20%',
  title_rule: '$cluster::$resource::$check',
  labels: {
    resource: 'es.nj.01',
    check: 'cpu.idle<20%',
    service: 'engine',
    cluster: 'nj',
    metric: 'node_cpu_seconds_total',
  },
};

const normalize = (over: Partial<StandardPush> = {}, context: IngestContext = ctx) =>
  normalizeStandardEvent({ ...SEED, ...over }, context);

/** The body validator Fastify uses for push requests (no coercion, unknown fields allowed). */
const validate = (body: unknown): boolean =>
  (
    validatorCompiler({ schema: StandardPushBody, method: 'POST', url: '/', httpPart: 'body' }) as (
      data: unknown,
    ) => boolean
  )(structuredClone(body));

describe('normalizeStandardEvent', () => {
  it('turns the seed example into an event', () => {
    const { event, warnings } = normalize();
    expect(warnings).toEqual([]);
    expect(event).toEqual({
      alertKey: '64f6b9df2007be4b0bfe56f6',
      alertKeyDerived: false,
      titleRule: '$cluster::$resource::$check',
      title: 'nj::es.nj.01::cpu.idle<20%',
      description: 'cpu idle low than 20%',
      status: 'Warning',
      severity: 'Warning',
      eventTime: NOW,
      labels: SEED.labels,
      images: [],
    });
    expect(Object.keys(event.labels)).toEqual(['check', 'cluster', 'metric', 'resource', 'service']);
  });

  it('takes severity from the status, and Info as a placeholder for Ok', () => {
    for (const status of ['Critical', 'Warning', 'Info'] as const) {
      expect(normalize({ event_status: status }).event).toMatchObject({ status, severity: status });
    }
    expect(normalize({ event_status: 'Ok' }).event).toMatchObject({ status: 'Ok', severity: 'Info' });
  });

  it('defaults description and labels', () => {
    const { event } = normalizeStandardEvent({ event_status: 'Info', title_rule: 'plain $x' }, ctx);
    expect(event).toMatchObject({ description: '', labels: {}, images: [], title: 'plain $x' });
  });

  it('renders templates with the event and integration', () => {
    const { event } = normalize({
      title_rule: '[TPL]{{.IntegrationName}}: ${service} {{.EventStatus}} {{.AlertKey}}',
    });
    expect(event.title).toBe('Custom monitor: engine Warning 64f6b9df2007be4b0bfe56f6');
    expect(event.titleRule).toBe('[TPL]{{.IntegrationName}}: ${service} {{.EventStatus}} {{.AlertKey}}');
  });
});

describe('text limits', () => {
  it('truncates title_rule to 512 and description to 2048 code points, with warnings', () => {
    const { event, warnings } = normalize({ title_rule: 'r'.repeat(600), description: 'd'.repeat(3000) });
    expect(event.titleRule).toBe('r'.repeat(512));
    expect(event.title).toBe('r'.repeat(512));
    expect(event.description).toBe('d'.repeat(2048));
    expect(warnings).toEqual([
      'title_rule was truncated to 512 characters',
      'description was truncated to 2048 characters',
    ]);
  });

  it('never splits a surrogate pair at the boundary', () => {
    const { event } = normalize({
      title_rule: `${'a'.repeat(511)}😀😀`,
      description: `${'b'.repeat(2047)}😀x`,
    });
    expect(event.titleRule).toBe(`${'a'.repeat(511)}😀`);
    expect(event.description).toBe(`${'b'.repeat(2047)}😀`);
    const exact = normalize({ title_rule: '😀'.repeat(512) });
    expect(exact.event.titleRule).toBe('😀'.repeat(512));
    expect(exact.warnings).toEqual([]);
  });
});

describe('labels', () => {
  it('keeps keys case-sensitive', () => {
    const { event } = normalize({ labels: { Env: 'a', env: 'b', ENV: 'c' } });
    expect(event.labels).toEqual({ ENV: 'c', Env: 'a', env: 'b' });
  });

  it('drops a key longer than 128 characters, naming it in 40 characters', () => {
    const long = `k${'x'.repeat(128)}`;
    const ok128 = 'y'.repeat(128);
    const { event, warnings } = normalize({ labels: { [long]: 'v', [ok128]: 'w', a: '1' } });
    expect(event.labels).toEqual({ a: '1', [ok128]: 'w' });
    expect(warnings).toEqual([
      `labels: label "k${'x'.repeat(39)}…" was dropped: its key is longer than 128 characters`,
    ]);
  });

  it('counts key length in code points', () => {
    const key = '😀'.repeat(128);
    expect(normalize({ labels: { [key]: 'v' } }).event.labels).toEqual({ [key]: 'v' });
    expect(normalize({ labels: { [`${key}😀`]: 'v' } }).event.labels).toEqual({});
  });

  it('drops an empty key', () => {
    const { event, warnings } = normalize({ labels: { '': 'v', a: '1' } });
    expect(event.labels).toEqual({ a: '1' });
    expect(warnings).toEqual(['labels: a label with an empty key was dropped']);
  });

  it('truncates values to 2048 code points', () => {
    const { event, warnings } = normalize({ labels: { big: `${'v'.repeat(2047)}😀😀`, small: 'x' } });
    expect(event.labels.big).toBe(`${'v'.repeat(2047)}😀`);
    expect(event.labels.small).toBe('x');
    expect(warnings).toEqual(['labels.big was truncated to 2048 characters']);
  });

  it('keeps the first 50 labels in key order of 51, and says how many were dropped', () => {
    const labels = Object.fromEntries(
      Array.from({ length: 51 }, (_, i) => [`k${String(50 - i).padStart(2, '0')}`, String(i)]),
    );
    const { event, warnings } = normalize({ labels });
    expect(Object.keys(event.labels)).toHaveLength(50);
    expect(Object.keys(event.labels)[0]).toBe('k00');
    expect(Object.keys(event.labels).at(-1)).toBe('k49');
    expect(event.labels).not.toHaveProperty('k50');
    expect(warnings).toEqual([
      'labels: 1 label was dropped: only the first 50 in key order are kept (at most 50 labels)',
    ]);
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`l${i}`, 'v']));
    expect(normalize({ labels: many }).warnings[0]).toMatch(/^labels: 10 labels were dropped/);
  });

  it('drops invalid keys before counting to 50', () => {
    const labels = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const { event } = normalize({ labels: { ...labels, '': 'x', ['z'.repeat(129)]: 'y' } });
    expect(Object.keys(event.labels)).toHaveLength(50);
  });

  it('keeps a __proto__ label as an ordinary label', () => {
    const labels = JSON.parse('{"__proto__": "p", "a": "1"}') as Record<string, string>;
    const { event } = normalize({ labels, title_rule: '$__proto__' });
    expect(Object.hasOwn(event.labels, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(event.labels)).toBe(Object.prototype);
    expect(event.title).toBe('p');
  });
});

describe('images', () => {
  const images = (list: NonNullable<StandardPush['images']>) => normalize({ images: list });

  it('keeps http(s) URLs and upload keys, with alt and href defaulted', () => {
    const { event, warnings } = images([
      { src: 'https://img.example.com/a.png', alt: 'cpu', href: 'https://grafana.example.com/d/1' },
      { src: 'HTTP://img.example.com/b.png' },
      { src: 'img/2024/04/0f3c9a.png', alt: 'upload' },
    ]);
    expect(warnings).toEqual([]);
    expect(event.images).toEqual([
      { src: 'https://img.example.com/a.png', alt: 'cpu', href: 'https://grafana.example.com/d/1' },
      { src: 'HTTP://img.example.com/b.png', alt: '', href: '' },
      { src: 'img/2024/04/0f3c9a.png', alt: 'upload', href: '' },
    ]);
  });

  it('drops an image whose src is longer than 256 characters', () => {
    const at256 = `https://x.io/${'a'.repeat(256 - 13)}`;
    expect(at256).toHaveLength(256);
    const { event, warnings } = images([{ src: `${at256}b` }, { src: at256 }]);
    expect(event.images.map((i) => i.src)).toEqual([at256]);
    expect(warnings).toEqual(['images[0] was dropped: src is longer than 256 characters']);
  });

  it('drops an image whose src is neither an http(s) URL nor an upload key', () => {
    const bad = [
      '',
      'has space.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAA',
      '//evil.example/x.png',
      'http://',
      'ftp://x/y.png',
      'a\u0000b',
    ];
    const { event, warnings } = images(bad.map((src) => ({ src })));
    expect(event.images).toEqual([]);
    expect(warnings).toHaveLength(bad.length);
    expect(warnings[0]).toBe('images[0] was dropped: src must be an http(s) URL or an uploaded image key');
  });

  it('truncates alt to 128 and href to 256, and removes an href that is not http(s)', () => {
    const href = `https://x.io/${'h'.repeat(300)}`;
    const { event, warnings } = images([
      { src: 'k1', alt: 'a'.repeat(129), href },
      { src: 'k2', alt: 'b', href: 'javascript:alert(1)' },
    ]);
    expect(event.images).toEqual([
      { src: 'k1', alt: 'a'.repeat(128), href: href.slice(0, 256) },
      { src: 'k2', alt: 'b', href: '' },
    ]);
    expect(warnings).toEqual([
      'images[0].alt was truncated to 128 characters',
      'images[0].href was truncated to 256 characters',
      'images[1].href was removed: it is not an http(s) URL',
    ]);
  });

  it('de-duplicates by alt, first wins, after truncation; empty alts stay distinct', () => {
    const { event, warnings } = images([
      { src: 'k1', alt: 'cpu' },
      { src: 'k2', alt: 'cpu' },
      { src: 'k3' },
      { src: 'k4', alt: '' },
      { src: 'k5', alt: `${'x'.repeat(128)}1` },
      { src: 'k6', alt: `${'x'.repeat(128)}2` },
      { src: 'k7', alt: 'Cpu' },
    ]);
    expect(event.images.map((i) => i.src)).toEqual(['k1', 'k3', 'k4', 'k5', 'k7']);
    expect(warnings.filter((w) => w.includes('same alt'))).toEqual([
      'images[1] was dropped: an earlier image has the same alt "cpu"',
      `images[5] was dropped: an earlier image has the same alt "${'x'.repeat(40)}…"`,
    ]);
  });

  it('does not let a dropped image take an alt', () => {
    const { event } = images([
      { src: 'bad src', alt: 'a' },
      { src: 'k2', alt: 'a' },
    ]);
    expect(event.images.map((i) => i.src)).toEqual(['k2']);
  });
});

describe('event_time', () => {
  it('defaults to now; 0 counts as absent', () => {
    expect(normalize().event.eventTime).toBe(NOW);
    expect(normalize({ event_time: 0 }).event.eventTime).toBe(NOW);
  });

  it('keeps seconds and converts milliseconds (above 10^11)', () => {
    expect(normalize({ event_time: 1_700_000_000 }).event.eventTime).toBe(1_700_000_000);
    expect(normalize({ event_time: 1_700_000_000_999 }).event.eventTime).toBe(1_700_000_000);
    expect(normalize({ event_time: 100_000_000_000 }).event.eventTime).toBe(100_000_000_000);
    expect(normalize({ event_time: 100_000_000_001 }).event.eventTime).toBe(100_000_000);
  });

  it('scales micro- and nanoseconds down too', () => {
    expect(eventTimeSeconds(1_700_000_000_123_456, NOW)).toBe(1_700_000_000);
    expect(eventTimeSeconds(1_700_000_000 * 1e9 + 123_456_789, NOW)).toBe(1_700_000_000);
    expect(eventTimeSeconds(-5, NOW)).toBe(NOW);
    expect(eventTimeSeconds(Number.NaN, NOW)).toBe(NOW);
    expect(eventTimeSeconds(undefined, NOW)).toBe(NOW);
  });
});

describe('derived alert_key', () => {
  const keyless = (over: Partial<StandardPush> = {}, context: IngestContext = ctx) => {
    const { alert_key: _, ...body } = SEED;
    return normalizeStandardEvent({ ...body, ...over }, context).event;
  };

  it('is 22 base62 characters, marked derived', () => {
    const event = keyless();
    expect(event.alertKey).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(event.alertKeyDerived).toBe(true);
    expect(event.alertKey).toBe(derivedAlertKey(ctx.integrationId, SEED.title_rule, SEED.labels!));
  });

  it('is the same for the same integration, title_rule and labels, whatever the label order', () => {
    const reordered = Object.fromEntries(Object.entries(SEED.labels!).reverse());
    expect(keyless({ labels: reordered }).alertKey).toBe(keyless().alertKey);
  });

  it('lets a keyless Ok event recover the alert: status, description and time do not count', () => {
    const firing = keyless({ event_status: 'Critical', description: 'down', event_time: 1_700_000_000 });
    const ok = keyless({ event_status: 'Ok', description: 'recovered', event_time: 1_700_000_600 });
    expect(ok.alertKey).toBe(firing.alertKey);
  });

  it('differs by integration, title_rule and any label key or value', () => {
    const base = keyless().alertKey;
    expect(keyless({}, { ...ctx, integrationId: 102 }).alertKey).not.toBe(base);
    expect(keyless({ title_rule: '$cluster' }).alertKey).not.toBe(base);
    expect(keyless({ labels: { ...SEED.labels, cluster: 'sh' } }).alertKey).not.toBe(base);
    expect(keyless({ labels: { ...SEED.labels, extra: '' } }).alertKey).not.toBe(base);
  });

  it('is computed after truncation', () => {
    const a = keyless({ title_rule: `${'t'.repeat(512)}a`, labels: { v: `${'x'.repeat(2048)}1` } });
    const b = keyless({ title_rule: `${'t'.repeat(512)}b`, labels: { v: `${'x'.repeat(2048)}2` } });
    expect(a.alertKey).toBe(b.alertKey);
  });

  it('treats an empty alert_key as absent', () => {
    const event = normalize({ alert_key: '' }).event;
    expect(event.alertKeyDerived).toBe(true);
    expect(event.alertKey).toBe(keyless().alertKey);
  });

  it('is stable across releases (pinned value)', () => {
    const digest = createHash('sha256')
      .update(JSON.stringify(['x']))
      .digest();
    let n = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`);
    let expected = '';
    for (let i = 0; i < 22; i++) {
      expected = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[Number(n % 62n)] + expected;
      n /= 62n;
    }
    expect(shortHash(['x'])).toBe(expected);
    expect(derivedAlertKey(101, '$cluster::$resource::$check', SEED.labels!)).toBe(keyless().alertKey);
    expect(keyless().alertKey).toBe('0uROls7mpbn0Mab4H16rib');
  });
});

describe('StandardPushBody', () => {
  it('accepts the seed example and a minimal body, and ignores unknown fields', () => {
    expect(validate(SEED)).toBe(true);
    expect(validate({ event_status: 'Ok', title_rule: 'x' })).toBe(true);
    expect(validate({ ...SEED, extra: { nested: true } })).toBe(true);
  });

  it('requires event_status (one of four) and a non-empty title_rule', () => {
    expect(validate({ title_rule: 'x' })).toBe(false);
    expect(validate({ event_status: 'Warning' })).toBe(false);
    expect(validate({ event_status: 'warning', title_rule: 'x' })).toBe(false);
    expect(validate({ event_status: 'Error', title_rule: 'x' })).toBe(false);
    expect(validate({ event_status: 'Info', title_rule: '' })).toBe(false);
  });

  it('accepts an over-long title_rule and description (they are truncated)', () => {
    expect(validate({ ...SEED, title_rule: 'x'.repeat(10_000), description: 'd'.repeat(10_000) })).toBe(true);
  });

  it('refuses an alert_key longer than 255 characters (code points)', () => {
    expect(validate({ ...SEED, alert_key: 'k'.repeat(255) })).toBe(true);
    expect(validate({ ...SEED, alert_key: '😀'.repeat(255) })).toBe(true);
    expect(validate({ ...SEED, alert_key: 'k'.repeat(256) })).toBe(false);
  });

  it('wants an integer event_time of at least 0, and string label values', () => {
    expect(validate({ ...SEED, event_time: 1_700_000_000_000 })).toBe(true);
    expect(validate({ ...SEED, event_time: -1 })).toBe(false);
    expect(validate({ ...SEED, event_time: 1.5 })).toBe(false);
    expect(validate({ ...SEED, event_time: '1700000000' })).toBe(false);
    expect(validate({ ...SEED, labels: { a: 5 } })).toBe(false);
    expect(validate({ ...SEED, labels: { a: null } })).toBe(false);
    expect(validate({ ...SEED, labels: ['a'] })).toBe(false);
  });

  it('takes at most 100 images, each with a src', () => {
    const image = { src: 'k' };
    expect(validate({ ...SEED, images: Array.from({ length: 100 }, () => image) })).toBe(true);
    expect(validate({ ...SEED, images: Array.from({ length: 101 }, () => image) })).toBe(false);
    expect(validate({ ...SEED, images: [{ alt: 'no src' }] })).toBe(false);
    expect(validate({ ...SEED, images: [{ src: 'k', alt: 'a'.repeat(500), href: 'h'.repeat(500) }] })).toBe(
      true,
    );
  });
});
