import { describe, expect, it } from 'vitest';
import {
  byOrder,
  componentChangesOf,
  currentImpacts,
  describeChanges,
  groupComponents,
  impactsFor,
  moveBy,
  newestFirst,
  nextOrder,
  type PageComponent,
  parseRecipients,
  parseSubscriberCsv,
  type Section,
  secondsToZoned,
  slugOf,
  statusWords,
  withQuery,
  zonedToSeconds,
} from '../../web/src/statusPages.ts';

/* The status-page screens' pure logic: ordering, the component changes an update sends, zoned times. */

const component = (component_id: string, order_id: number, section_id?: string): PageComponent => ({
  component_id,
  name: component_id.toUpperCase(),
  description: '',
  order_id,
  hide_uptime: false,
  hide_all: false,
  status: 'operational',
  ...(section_id ? { section_id } : {}),
});
const section = (section_id: string, order_id: number): Section => ({
  section_id,
  name: section_id,
  description: '',
  order_id,
  hide_uptime: false,
  hide_all: false,
});

describe('ordering', () => {
  it('sorts by order_id, then by id, as the API does', () => {
    const sorted = byOrder([component('b', 1), component('c', 0), component('a', 1)], (c) => c.component_id);
    expect(sorted.map((c) => c.component_id)).toEqual(['c', 'a', 'b']);
  });

  it('moves an item up or down and renumbers only what changes', () => {
    const list = [component('a', 0), component('b', 1), component('c', 2)];
    expect(moveBy(list, 2, -1).map((m) => [m.item.component_id, m.order_id])).toEqual([
      ['c', 1],
      ['b', 2],
    ]);
    expect(moveBy(list, 0, -1)).toEqual([]);
    expect(moveBy(list, 2, 1)).toEqual([]);
    // Gaps and ties (items made through the API) are renumbered 0, 1, 2.
    const loose = [component('a', 5), component('b', 5), component('c', 9)];
    expect(moveBy(loose, 0, 1).map((m) => [m.item.component_id, m.order_id])).toEqual([
      ['b', 0],
      ['a', 1],
      ['c', 2],
    ]);
    expect(nextOrder(loose)).toBe(10);
    expect(nextOrder([])).toBe(0);
  });

  it('groups components under their sections, those without one first', () => {
    const groups = groupComponents(
      [section('s2', 1), section('s1', 0)],
      [component('x', 1, 's2'), component('y', 0), component('z', 0, 's2'), component('w', 0, 'gone')],
    );
    expect(groups.map((g) => [g.section?.section_id, g.components.map((c) => c.component_id)])).toEqual([
      [undefined, ['w', 'y']],
      ['s1', []],
      ['s2', ['z', 'x']],
    ]);
    expect(groupComponents([section('s', 0)], [component('a', 0, 's')]).map((g) => g.section?.name)).toEqual([
      's',
    ]);
    expect(groupComponents([], [])).toEqual([{ components: [] }]);
  });
});

describe('the component changes of an update', () => {
  it('declares every chosen impact in the first update, and none left at "no change"', () => {
    expect(componentChangesOf({ a: 'partial_outage', b: '', c: 'operational' }, {})).toEqual([
      { component_id: 'a', status: 'partial_outage' },
      { component_id: 'c', status: 'operational' },
    ]);
  });

  it('sends only what differs from the statuses the event left', () => {
    const current = { a: 'partial_outage', b: 'degraded' } as const;
    expect(
      componentChangesOf({ a: 'partial_outage', b: 'operational', c: 'degraded', d: 'operational' }, current),
    ).toEqual([
      { component_id: 'b', status: 'operational' },
      { component_id: 'c', status: 'degraded' },
    ]);
  });

  it('starts an ending update with every affected component operational', () => {
    const event = {
      type: 'incident' as const,
      affected_components: [
        { component_id: 'a', name: 'A', status: 'partial_outage' as const },
        { component_id: 'b', name: 'B', status: 'degraded' as const },
      ],
    };
    expect(impactsFor(event, 'monitoring')).toEqual({ a: 'partial_outage', b: 'degraded' });
    expect(impactsFor(event, 'resolved')).toEqual({ a: 'operational', b: 'operational' });
    expect(componentChangesOf(impactsFor(event, 'resolved'), currentImpacts(event))).toEqual([
      { component_id: 'a', status: 'operational' },
      { component_id: 'b', status: 'operational' },
    ]);
    expect(impactsFor({ ...event, type: 'maintenance' }, 'completed')).toEqual({
      a: 'operational',
      b: 'operational',
    });
  });

  it('says the changes in words, naming removed components', () => {
    expect(
      describeChanges(
        [
          { component_id: 'a', component_name: 'API', status: 'partial_outage' },
          { component_id: 'b', status: 'operational' },
          { component_id: 'gone', component_name: '', status: 'degraded' },
        ],
        (id) => (id === 'b' ? 'Web' : ''),
      ),
    ).toBe('API: Partial outage; Web: Operational; a removed component: Degraded performance');
    expect(statusWords('under_maintenance')).toBe('Under maintenance');
    expect(statusWords('something_new')).toBe('something_new');
  });

  it('lists updates newest first, ties by the order sent', () => {
    const u = (update_id: string, at_seconds: number) => ({
      update_id,
      at_seconds,
      description: '',
      component_changes: [],
    });
    expect(newestFirst([u('a', 10), u('b', 20), u('c', 20)]).map((x) => x.update_id)).toEqual([
      'c',
      'b',
      'a',
    ]);
  });
});

describe('forms', () => {
  it('derives a url_name from a name', () => {
    expect(slugOf('Acme Cloud — Status!')).toBe('acme-cloud-status');
    expect(slugOf('Café Zürich')).toBe('cafe-zurich');
    expect(slugOf('!!!')).toBe('');
  });

  it('reads recipients one per line or separated by commas, without repeats', () => {
    expect(parseRecipients(' a@example.com\nb@example.com, A@example.com;\n\n c@example.com ')).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
    expect(parseRecipients('  ')).toEqual([]);
  });

  it('builds a read path with its query', () => {
    expect(withQuery('/status-page/info', { page_id: 7, type: undefined, q: 'a b' })).toBe(
      '/status-page/info?page_id=7&q=a+b',
    );
  });
});

describe("times in the member's zone", () => {
  it('reads a picked wall-clock time in the zone, and writes one back', () => {
    const noonTokyo = Date.UTC(2026, 2, 1, 3, 0, 0) / 1000;
    expect(zonedToSeconds('2026-03-01 12:00:00', 'Asia/Tokyo')).toBe(noonTokyo);
    expect(zonedToSeconds('2026-03-01 12:00', 'Asia/Tokyo')).toBe(noonTokyo);
    expect(secondsToZoned(noonTokyo, 'Asia/Tokyo')).toBe('2026-03-01 12:00:00');
    expect(secondsToZoned(noonTokyo, 'UTC')).toBe('2026-03-01 03:00:00');
    expect(zonedToSeconds('not a time', 'UTC')).toBeUndefined();
  });

  it('handles both sides of a daylight-saving change', () => {
    // New York: EST (UTC-5) in January, EDT (UTC-4) in July.
    expect(zonedToSeconds('2026-01-15 09:00:00', 'America/New_York')).toBe(Date.UTC(2026, 0, 15, 14) / 1000);
    expect(zonedToSeconds('2026-07-15 09:00:00', 'America/New_York')).toBe(Date.UTC(2026, 6, 15, 13) / 1000);
    // 02:30 on 8 March 2026 does not exist there: it lands an hour later, 03:30 EDT.
    expect(
      secondsToZoned(zonedToSeconds('2026-03-08 02:30:00', 'America/New_York')!, 'America/New_York'),
    ).toBe('2026-03-08 03:30:00');
    for (const seconds of [Date.UTC(2026, 10, 1, 5, 30) / 1000, Date.UTC(2026, 5, 30, 23, 59, 59) / 1000]) {
      expect(zonedToSeconds(secondsToZoned(seconds, 'Europe/Berlin'), 'Europe/Berlin')).toBe(seconds);
    }
  });
});

describe('importing subscribers from a CSV file', () => {
  it('reads what an export writes, quoted fields included', () => {
    const csv =
      '\uFEFFMethod,Recipient,Components,Subscribe All,Locale\r\n' +
      'email,ops@example.com,,true,en-US\r\n' +
      'email,"dev, ops@example.com",c1;c2,false,zh-CN\n' +
      'webhook,"https://hooks.example.com/x?a=""b""",c1,false,\n\n';
    expect(parseSubscriberCsv(csv)).toEqual({
      subscribers: [
        { method: 'email', recipient: 'ops@example.com', component_ids: [], all: true, locale: 'en-US' },
        {
          method: 'email',
          recipient: 'dev, ops@example.com',
          component_ids: ['c1', 'c2'],
          all: false,
          locale: 'zh-CN',
        },
        {
          method: 'webhook',
          recipient: 'https://hooks.example.com/x?a="b"',
          component_ids: ['c1'],
          all: false,
        },
      ],
    });
    // No components and "false": every event (the API's rule).
    expect(parseSubscriberCsv('Method,Recipient,Components,Subscribe All,Locale\nim,42,,false,')).toEqual({
      subscribers: [{ method: 'im', recipient: '42', component_ids: [], all: true }],
    });
  });

  it('names the line that is wrong', () => {
    expect(parseSubscriberCsv('a,b\n')).toEqual({
      error: expect.stringContaining('The first line must be the header'),
    });
    expect(parseSubscriberCsv('')).toEqual({ error: expect.stringContaining('header') });
    expect(
      parseSubscriberCsv('Method,Recipient,Components,Subscribe All,Locale\nemail,a@example.com\nsms,123'),
    ).toEqual({
      error: 'Line 3: the method must be email, im or webhook, not “sms”.',
    });
    expect(parseSubscriberCsv('Method,Recipient,Components,Subscribe All,Locale\nemail, ,,true,')).toEqual({
      error: 'Line 2: the recipient is empty.',
    });
  });
});
