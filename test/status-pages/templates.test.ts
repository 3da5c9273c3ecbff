import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEMPLATES_PER_PAGE } from '../../src/status-pages/templates.service.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { invalid, newPage, ok } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

const upsert = (body: unknown, account = owner) =>
  t.post('/status-page/template/upsert', body, account.appKey);
const list = (query: Record<string, unknown>, account = owner) =>
  t.get('/status-page/template/list', query, account.appKey);
const remove = (body: unknown, account = owner) =>
  t.post('/status-page/template/delete', body, account.appKey);

const investigating = {
  event_type: 'incident',
  status: 'investigating',
  title: 'Elevated error rates',
  description: 'We are investigating elevated error rates on {{service}}.',
};

describe('event templates', () => {
  it('creates, lists, updates and deletes a template', async () => {
    const { pageId } = await newPage(t, owner);
    const created = ok(await upsert({ page_id: pageId, type: 'pre_defined', template: investigating }));
    expect(created.template_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const message = ok(
      await upsert({
        page_id: pageId,
        type: 'message',
        template: { event_type: 'maintenance', status: 'completed', description: 'The work is done.' },
      }),
    );

    expect(ok(await list({ page_id: pageId })).items).toEqual([
      {
        template_id: created.template_id,
        page_id: pageId,
        type: 'pre_defined',
        ...investigating,
        creator_id: owner.memberId,
        created_at: expect.any(Number),
        updated_at: expect.any(Number),
      },
      expect.objectContaining({
        template_id: message.template_id,
        type: 'message',
        event_type: 'maintenance',
        title: '',
      }),
    ]);
    expect(ok(await list({ page_id: pageId, type: 'message' })).items.map((i: any) => i.template_id)).toEqual(
      [message.template_id],
    );
    expect(ok(await list({ page_id: pageId, event_type: 'incident' })).items).toHaveLength(1);

    t.clock.advance(60_000);
    const same = ok(
      await upsert({
        page_id: pageId,
        type: 'pre_defined',
        template: {
          ...investigating,
          template_id: created.template_id,
          status: 'identified',
          title: 'Found it',
        },
      }),
    );
    expect(same.template_id).toBe(created.template_id);
    const [edited] = ok(await list({ page_id: pageId, type: 'pre_defined' })).items;
    expect(edited).toMatchObject({ status: 'identified', title: 'Found it' });
    expect(edited.updated_at).toBeGreaterThan(edited.created_at);

    ok(await remove({ page_id: pageId, template_id: created.template_id }));
    expect(ok(await list({ page_id: pageId })).items.map((i: any) => i.template_id)).toEqual([
      message.template_id,
    ]);
    const again = await remove({ page_id: pageId, template_id: created.template_id });
    expect(again.body.error?.code).toBe('ResourceNotFound');
  });

  it('refuses bad templates, naming the field, and stores nothing', async () => {
    const { pageId } = await newPage(t, owner);
    const body = (template: Record<string, unknown>, type = 'pre_defined') => ({
      page_id: pageId,
      type,
      template: { ...investigating, ...template },
    });
    invalid(await upsert(body({ status: 'ongoing' })), 'template.status', /investigating, identified/);
    invalid(await upsert(body({ event_type: 'outage' })), 'template.event_type');
    invalid(await upsert(body({ title: '  ' })), 'template.title', /required/);
    invalid(await upsert(body({ title: 'x'.repeat(256) })), 'template.title');
    invalid(await upsert(body({ description: '' })), 'template.description');
    invalid(await upsert(body({}, 'canned')), 'type');
    invalid(
      await upsert(body({ template_id: '01KC3GAZ6ZJE40H55GM31RPWZE' })),
      'template.template_id',
      /no such/,
    );
    expect(ok(await list({ page_id: pageId })).items).toEqual([]);
  });

  it('keeps another account out, and needs Status Pages Manage to change templates', async () => {
    const { pageId } = await newPage(t, owner);
    const { template_id } = ok(
      await upsert({ page_id: pageId, type: 'pre_defined', template: investigating }),
    );
    const other = await t.newAccount();
    for (const res of [
      await list({ page_id: pageId }, other),
      await upsert({ page_id: pageId, type: 'pre_defined', template: investigating }, other),
      await remove({ page_id: pageId, template_id }, other),
    ]) {
      expect(res.body.error?.code).toBe('ResourceNotFound');
    }
    // A template id of another page is not this page's.
    const { pageId: secondPage } = await newPage(t, owner);
    expect((await remove({ page_id: secondPage, template_id })).body.error?.code).toBe('ResourceNotFound');

    const readOnly = await t.newMember(owner, [4]);
    expect(ok(await list({ page_id: pageId }, readOnly)).items).toHaveLength(1);
    const refused = await upsert({ page_id: pageId, type: 'message', template: investigating }, readOnly);
    expect(refused.body.error?.code).toBe('AccessDenied');
    expect((await remove({ page_id: pageId, template_id }, readOnly)).body.error?.code).toBe('AccessDenied');
    expect(ok(await list({ page_id: pageId })).items).toHaveLength(1);
  });

  it(`holds at most ${MAX_TEMPLATES_PER_PAGE} templates a page, and goes with its page`, async () => {
    const { pageId } = await newPage(t, owner);
    for (let i = 0; i < MAX_TEMPLATES_PER_PAGE; i++) {
      ok(await upsert({ page_id: pageId, type: 'message', template: { ...investigating, title: `T${i}` } }));
    }
    invalid(
      await upsert({ page_id: pageId, type: 'message', template: investigating }),
      'page_id',
      /at most/,
    );
    expect(ok(await list({ page_id: pageId })).items).toHaveLength(MAX_TEMPLATES_PER_PAGE);

    ok(await t.post('/status-page/delete', { page_id: pageId }, owner.appKey));
    const left = await t.db.q
      .selectFrom('status_page_templates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('page_id', '=', pageId)
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });
});
