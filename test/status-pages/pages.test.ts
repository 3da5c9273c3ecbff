import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { invalid, newComponents, newPage, nowOf, ok, pageInfo } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
  other = await t.newAccount();
});
afterAll(() => t.close());

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const BASE = { name: 'Acme', type: 'public', date_view: 'calendar', display_uptime_mode: 'chart' };

describe('pages', () => {
  it('creates a page with every field and shows it in info and list', async () => {
    const res = ok(
      await t.post(
        '/status-page/create',
        {
          ...BASE,
          url_name: 'acme',
          custom_domain: 'status.acme.example',
          page_title: 'Acme status',
          page_header: 'Welcome',
          page_footer: 'Bye',
          contact_info: 'mailto:ops@acme.example',
          custom_links: [{ name: 'Home', url: 'https://acme.example' }],
          subscription: { email: true },
        },
        owner.appKey,
      ),
    );
    expect(res).toEqual({ page_id: expect.any(Number), page_name: 'Acme', page_url_name: 'acme' });
    const info = await pageInfo(t, owner, res.page_id);
    expect(info).toEqual({
      page_id: res.page_id,
      name: 'Acme',
      url_name: 'acme',
      type: 'public',
      date_view: 'calendar',
      display_uptime_mode: 'chart',
      custom_domain: 'status.acme.example',
      page_title: 'Acme status',
      page_header: 'Welcome',
      page_footer: 'Bye',
      contact_info: 'mailto:ops@acme.example',
      logo: '',
      dark_logo: '',
      favicon: '',
      logo_url: '',
      template_preference: '',
      custom_links: [{ name: 'Home', url: 'https://acme.example' }],
      subscription: { email: true },
      time_zone: 'UTC',
      brand_color: '',
      header_color: '',
      components: [],
      sections: [],
      public_url: `${t.config.publicUrl}/status/acme`,
      created_at: nowOf(t),
      updated_at: nowOf(t),
    });
    const list = ok(await t.get('/status-page/list', {}, owner.appKey));
    expect(list.items.map((p: any) => p.page_id)).toContain(res.page_id);
  });

  it('offers e-mail subscriptions on public pages and IM on internal ones unless told', async () => {
    const pub = await newPage(t, owner);
    const internal = await newPage(t, owner, { type: 'internal' });
    expect((await pageInfo(t, owner, pub.pageId)).subscription).toEqual({ email: true });
    expect((await pageInfo(t, owner, internal.pageId)).subscription).toEqual({ im: true });
  });

  it.each([
    [{ ...BASE, url_name: 'x', name: undefined }, 'name', /required/],
    [{ ...BASE, url_name: 'x', name: '' }, 'name', /fewer than 1/],
    [{ ...BASE, url_name: 'x', name: 'n'.repeat(256) }, 'name', /more than 255/],
    [{ ...BASE, url_name: 'has space' }, 'url_name', /pattern/],
    [{ ...BASE, url_name: 'u'.repeat(256) }, 'url_name', /more than 255/],
    [{ ...BASE, url_name: 'x', type: 'secret' }, 'type', /public/],
    [{ ...BASE, url_name: 'x', date_view: 'grid' }, 'date_view', /calendar/],
    [{ ...BASE, url_name: 'x', display_uptime_mode: 'bars' }, 'display_uptime_mode', /chart_and_percentage/],
    [{ ...BASE, url_name: 'x', custom_domain: 'd'.repeat(256) }, 'custom_domain', /more than 255/],
    [{ ...BASE, url_name: 'x', logo_url: 'd'.repeat(256) }, 'logo_url', /more than 255/],
    [{ ...BASE, url_name: 'x', custom_links: [{ name: 'a' }] }, 'custom_links[0].url', /required/],
  ])('refuses a bad create naming the field (%#)', async (body, field, reason) => {
    invalid(await t.post('/status-page/create', body, owner.appKey), field, reason);
  });

  it('keeps url_name unique across accounts, case-insensitively, and frees it on delete', async () => {
    const { pageId } = await newPage(t, owner, { url_name: 'Unique-Slug' });
    invalid(
      await t.post('/status-page/create', { ...BASE, url_name: 'unique-slug' }, other.appKey),
      'url_name',
      /already used/,
    );
    const second = await newPage(t, owner);
    invalid(
      await t.post('/status-page/update', { page_id: second.pageId, url_name: 'UNIQUE-slug' }, owner.appKey),
      'url_name',
      /already used/,
    );
    ok(await t.post('/status-page/delete', { page_id: pageId }, owner.appKey));
    ok(await t.post('/status-page/create', { ...BASE, url_name: 'unique-slug' }, other.appKey));
  });

  it('updates the fields sent and keeps those absent or null', async () => {
    const { pageId } = await newPage(t, owner, { page_header: 'old header', contact_info: 'old' });
    t.clock.advance(5_000);
    ok(
      await t.post(
        '/status-page/update',
        {
          page_id: pageId,
          name: 'Renamed',
          page_header: null,
          display_uptime_mode: 'none',
          custom_links: [],
        },
        owner.appKey,
      ),
    );
    const info = await pageInfo(t, owner, pageId);
    expect(info).toMatchObject({
      name: 'Renamed',
      page_header: 'old header',
      contact_info: 'old',
      display_uptime_mode: 'none',
      type: 'public',
      updated_at: nowOf(t),
    });
    expect(info.created_at).toBe(nowOf(t) - 5);
  });

  it('deletes a page with everything on it', async () => {
    const { pageId } = await newPage(t, owner);
    const [componentId] = await newComponents(t, owner, pageId, ['API']);
    ok(
      await t.post(
        '/status-page/change/create',
        {
          page_id: pageId,
          type: 'incident',
          title: 't',
          description: 'd',
          status: 'investigating',
          updates: [{ component_changes: [{ component_id: componentId, status: 'degraded' }] }],
        },
        owner.appKey,
      ),
    );
    ok(await t.post('/status-page/delete', { page_id: pageId }, owner.appKey));
    const res = await t.get('/status-page/info', { page_id: pageId }, owner.appKey);
    expect(res.body.error?.code).toBe('ResourceNotFound');
    const left = await t.db.q
      .selectFrom('status_page_changes')
      .select('change_id')
      .where('page_id', '=', pageId)
      .execute();
    expect(left).toEqual([]);
  });

  it('serves list and info by GET only', async () => {
    const res = await t.post('/status-page/list', {}, owner.appKey);
    expect(res.status).toBe(405);
    expect(res.body.error?.code).toBe('MethodNotAllowed');
  });
});

describe('sections and components', () => {
  it('creates sections and components, answering ULIDs in request order', async () => {
    const { pageId } = await newPage(t, owner);
    const sections = ok(
      await t.post(
        '/status-page/section/upsert',
        {
          page_id: pageId,
          sections: [
            { name: 'Core', order_id: 2 },
            { name: 'Edge', description: 'CDN', order_id: 1, hide_uptime: true },
          ],
        },
        owner.appKey,
      ),
    ).section_ids;
    expect(sections).toEqual([expect.stringMatching(ULID), expect.stringMatching(ULID)]);
    const components = ok(
      await t.post(
        '/status-page/component/upsert',
        {
          page_id: pageId,
          components: [
            { name: 'API', section_id: sections[0], order_id: 1 },
            { name: 'Web', section_id: sections[0], order_id: 0, description: 'The console' },
            { name: 'CDN', section_id: sections[1], hide_all: true },
            { name: 'Loose' },
          ],
        },
        owner.appKey,
      ),
    ).component_ids;
    expect(components).toHaveLength(4);
    expect(new Set(components).size).toBe(4);
    const info = await pageInfo(t, owner, pageId);
    // Sections and components come by order_id.
    expect(info.sections.map((s: any) => s.name)).toEqual(['Edge', 'Core']);
    expect(info.sections[0]).toEqual({
      section_id: sections[1],
      name: 'Edge',
      description: 'CDN',
      order_id: 1,
      hide_uptime: true,
      hide_all: false,
    });
    const byName = Object.fromEntries(info.components.map((c: any) => [c.name, c]));
    expect(byName.Web).toEqual({
      component_id: components[1],
      section_id: sections[0],
      name: 'Web',
      description: 'The console',
      available_since_seconds: nowOf(t),
      order_id: 0,
      hide_uptime: false,
      hide_all: false,
      status: 'operational',
    });
    expect(byName.CDN.hide_all).toBe(true);
    expect(byName.Loose).not.toHaveProperty('section_id');
  });

  it('updates by id, keeping what is not sent, and can mix creates and updates', async () => {
    const { pageId } = await newPage(t, owner);
    const [api] = await newComponents(t, owner, pageId, ['API'], { description: 'keep me', order_id: 3 });
    const ids = ok(
      await t.post(
        '/status-page/component/upsert',
        { page_id: pageId, components: [{ name: 'New' }, { component_id: api, name: 'API v2' }] },
        owner.appKey,
      ),
    ).component_ids;
    expect(ids[1]).toBe(api);
    const info = await pageInfo(t, owner, pageId);
    expect(info.components.find((c: any) => c.component_id === api)).toMatchObject({
      name: 'API v2',
      description: 'keep me',
      order_id: 3,
    });
  });

  it('refuses unknown ids and bad fields, naming them, and changes nothing', async () => {
    const { pageId } = await newPage(t, owner);
    const elsewhere = await newPage(t, owner);
    const [foreign] = await newComponents(t, owner, elsewhere.pageId, ['Foreign']);
    const up = (components: unknown[]) =>
      t.post('/status-page/component/upsert', { page_id: pageId, components }, owner.appKey);
    invalid(
      await up([{ name: 'ok' }, { component_id: foreign, name: 'x' }]),
      'components[1].component_id',
      /no such component/,
    );
    invalid(
      await up([{ name: 'x', section_id: '01KC3FKKX5TSVG6Z3X1QNGF6V2' }]),
      'components[0].section_id',
      /no such section/,
    );
    invalid(await up([{ description: 'no name' }]), 'components[0].name', /required/);
    invalid(await up([{ name: 'n'.repeat(256) }]), 'components[0].name', /more than 255/);
    invalid(
      await up([{ name: 'x', description: 'd'.repeat(1001) }]),
      'components[0].description',
      /more than 1000/,
    );
    invalid(await up([]), 'components', /fewer than 1/);
    expect((await pageInfo(t, owner, pageId)).components).toEqual([]);
    invalid(
      await t.post(
        '/status-page/section/upsert',
        { page_id: pageId, sections: [{ section_id: 'nope', name: 'x' }] },
        owner.appKey,
      ),
      'sections[0].section_id',
      /no such section/,
    );
    invalid(
      await t.post(
        '/status-page/component/delete',
        { page_id: pageId, component_ids: [foreign] },
        owner.appKey,
      ),
      'component_ids[0]',
    );
  });

  it('deleting a section keeps its components, outside any section', async () => {
    const { pageId } = await newPage(t, owner);
    const [section] = ok(
      await t.post(
        '/status-page/section/upsert',
        { page_id: pageId, sections: [{ name: 'S' }] },
        owner.appKey,
      ),
    ).section_ids;
    const [component] = await newComponents(t, owner, pageId, ['C'], { section_id: section });
    ok(
      await t.post('/status-page/section/delete', { page_id: pageId, section_ids: [section] }, owner.appKey),
    );
    const info = await pageInfo(t, owner, pageId);
    expect(info.sections).toEqual([]);
    expect(info.components).toEqual([expect.objectContaining({ component_id: component, name: 'C' })]);
    expect(info.components[0]).not.toHaveProperty('section_id');
  });

  it('deletes components', async () => {
    const { pageId } = await newPage(t, owner);
    const [a, b] = await newComponents(t, owner, pageId, ['A', 'B']);
    ok(await t.post('/status-page/component/delete', { page_id: pageId, component_ids: [a] }, owner.appKey));
    expect((await pageInfo(t, owner, pageId)).components.map((c: any) => c.component_id)).toEqual([b]);
  });
});

describe('permissions and tenancy', () => {
  it('lets any member read, and only Status Pages Manage change the structure', async () => {
    const { pageId } = await newPage(t, owner);
    const readOnly = await t.newMember(owner, [4]);
    const responder = await t.newMember(owner, [3]);
    ok(await t.get('/status-page/info', { page_id: pageId }, readOnly.appKey));
    ok(await t.get('/status-page/list', {}, readOnly.appKey));
    for (const member of [readOnly, responder]) {
      const res = await t.post(
        '/status-page/component/upsert',
        { page_id: pageId, components: [{ name: 'x' }] },
        member.appKey,
      );
      expect(res.status).toBe(403);
      expect(res.body.error?.code).toBe('AccessDenied');
      expect(res.body.error?.message).toContain('Status Pages Manage');
    }
    const created = await t.post(
      '/status-page/create',
      { ...BASE, url_name: 'by-responder' },
      responder.appKey,
    );
    expect(created.body.error?.code).toBe('AccessDenied');
  });

  it('hides one account’s pages from another, which can neither read nor change them', async () => {
    const { pageId } = await newPage(t, owner);
    const [component] = await newComponents(t, owner, pageId, ['Mine']);
    const notFound = (res: any) => {
      expect(res.body.error?.code, JSON.stringify(res.body)).toBe('ResourceNotFound');
    };
    notFound(await t.get('/status-page/info', { page_id: pageId }, other.appKey));
    notFound(await t.post('/status-page/update', { page_id: pageId, name: 'stolen' }, other.appKey));
    notFound(await t.post('/status-page/delete', { page_id: pageId }, other.appKey));
    notFound(
      await t.post(
        '/status-page/component/upsert',
        { page_id: pageId, components: [{ name: 'x' }] },
        other.appKey,
      ),
    );
    notFound(
      await t.post(
        '/status-page/component/delete',
        { page_id: pageId, component_ids: [component] },
        other.appKey,
      ),
    );
    notFound(
      await t.post(
        '/status-page/section/upsert',
        { page_id: pageId, sections: [{ name: 'x' }] },
        other.appKey,
      ),
    );
    notFound(
      await t.post(
        '/status-page/change/create',
        {
          page_id: pageId,
          type: 'incident',
          title: 't',
          description: 'd',
          status: 'investigating',
          updates: [{ component_changes: [{ component_id: component, status: 'degraded' }] }],
        },
        other.appKey,
      ),
    );
    notFound(
      await t.get('/status-page/change/active/list', { page_id: pageId, type: 'incident' }, other.appKey),
    );
    notFound(await t.get('/status-page/subscriber/list', { page_id: pageId }, other.appKey));
    const list = ok(await t.get('/status-page/list', {}, other.appKey));
    expect(list.items.map((p: any) => p.page_id)).not.toContain(pageId);
    const info = await pageInfo(t, owner, pageId);
    expect(info.name).not.toBe('stolen');
    expect(info.components.map((c: any) => c.name)).toEqual(['Mine']);
  });
});
