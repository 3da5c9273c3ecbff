import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newChangeIntegration, pushChange } from '../changes/helpers.ts';
import { documentedOperation, schemaErrors } from '../conformance/schemas.ts';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { expectInvalid, expectNotFound, newSource, nowOf, push, type Source } from './read-helpers.ts';

/*
 * Post-mortems (docs/post-mortems.md): init prefills a template from the incidents' timelines,
 * responders, durations and related changes; title, body, follow-ups and status are edited through
 * their reset calls; list/info/delete as documented; export answers Markdown. Bad input changes
 * nothing, and another account's key reads and changes nothing.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let source: Source;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Post-mortems');
  other = await t.newAccount('Elsewhere');
  source = await newSource(t, owner);
});
afterAll(() => t?.close());

const call = (path: string, body: unknown, key = owner.appKey) => t.post(path, body, key);
const info = (id: string, key = owner.appKey) =>
  t.get('/incident/post-mortem/info', { post_mortem_id: id }, key);
const data = (res: { status: number; body: any }) => {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
};
const advance = (seconds: number) => t.clock.advance(seconds * 1000);

function documented(path: string, method: string, body: unknown) {
  return schemaErrors(documentedOperation(path, method)!.response, body);
}

/** Two incidents, one Critical with a comment, acknowledged and resolved; a change before them. */
async function story() {
  const { key } = await newChangeIntegration(t, owner);
  data(
    await pushChange(t, key, {
      change_key: `deploy-${nowOf(t)}`,
      title: 'Deploy web 1.2.3',
      change_status: 'Done',
      event_time: nowOf(t) - 120,
      link: 'https://ci.example/deploys/(42)',
      labels: { service: 'web' },
    }),
  );
  const first = await push(t, source, {
    title_rule: 'Checkout <b>errors</b> [spike]',
    event_status: 'Critical',
    labels: { service: 'web' },
  });
  advance(60);
  const second = await push(t, source, { title_rule: 'Checkout latency', labels: { service: 'web' } });
  advance(60);
  data(await call('/incident/ack', { incident_ids: [first.incidentId] }));
  data(await call('/incident/comment', { incident_ids: [first.incidentId], comment: 'rolled back *1.2.3*' }));
  advance(600);
  data(await call('/incident/resolve', { incident_ids: [first.incidentId, second.incidentId] }));
  return [first.incidentId, second.incidentId] as const;
}

describe('/incident/post-mortem/*', () => {
  let ids: readonly [string, string];
  let postMortemId: string;

  beforeAll(async () => {
    ids = await story();
  });

  it('creates a draft prefilled from the incidents, the template and the related changes', async () => {
    const res = await call('/incident/post-mortem/init', { incident_ids: [...ids], template_id: 'standard' });
    expect(documented('/incident/post-mortem/init', 'post', res.body)).toEqual([]);
    const pm = data(res);
    postMortemId = pm.meta.post_mortem_id;
    expect(postMortemId).toMatch(/^[0-9a-f]{32}$/);
    expect(pm.meta).toMatchObject({
      account_id: owner.accountId,
      status: 'drafting',
      template_id: 'standard',
      incident_ids: [...ids],
      author_ids: [owner.memberId],
      channel_id: source.channelId,
      team_id: source.teamId,
      title: 'Post-mortem: Checkout <b>errors</b> [spike] (and 1 more)',
    });
    expect(pm.basics).toMatchObject({
      incidents_highest_severity: 'Critical',
      responders: [
        expect.objectContaining({ person_id: owner.memberId, acknowledged_at: expect.any(Number) }),
      ],
    });
    expect(pm.basics.incidents_latest_close_seconds).toBeGreaterThan(
      pm.basics.incidents_earliest_start_seconds,
    );
    // 660 s + 720 s: each incident from its start to its close.
    expect(pm.basics.incidents_total_duration_seconds).toBe(660 + 720);
    const body: string = pm.content.content;
    expect(body).toContain('- Highest severity: Critical');
    expect(body).toContain('- Total duration: 23m');
    // Titles and comments are escaped, so they cannot inject tags, links or emphasis.
    expect(body).toContain('Checkout \\<b\\>errors\\</b\\> \\[spike\\]');
    expect(body).not.toContain('<b>');
    expect(body).toContain('commented: rolled back \\*1.2.3\\*');
    expect(body).toMatch(/acknowledged/);
    expect(body).toContain('[Deploy web 1.2.3](https://ci.example/deploys/%2842%29) (Done)');
    expect(body).toContain(`/incident/detail/${ids[0]}`);
    expect(body).not.toContain('{{');

    // The incident now names its post-mortem.
    const incident = data(await call('/incident/info', { incident_id: ids[0] }));
    expect(incident.post_mortem_id).toBe(postMortemId);
  });

  it('answers the same report for the same incidents, in any order', async () => {
    const again = data(
      await call('/incident/post-mortem/init', { incident_ids: [ids[1], ids[0].toUpperCase()] }),
    );
    expect(again.meta.post_mortem_id).toBe(postMortemId);
    const single = data(
      await call('/incident/post-mortem/init', { incident_ids: [ids[0]], template_id: 'brief' }),
    );
    expect(single.meta.post_mortem_id).not.toBe(postMortemId);
    expect(single.meta.title).toBe('Post-mortem: Checkout <b>errors</b> [spike]');
    expect(single.content.content).not.toContain('## Responders');
    data(await call('/incident/post-mortem/delete', { post_mortem_id: single.meta.post_mortem_id }));
  });

  it('edits, publishes and lists; the caller joins the authors', async () => {
    const editor = await t.newMember(owner, [2], 'Editor');
    data(
      await call(
        '/incident/post-mortem/content/reset',
        { post_mortem_id: postMortemId, content: '## Root cause\n\nA bad deploy.' },
        editor.appKey,
      ),
    );
    data(
      await call('/incident/post-mortem/title/reset', {
        post_mortem_id: postMortemId,
        title: 'Checkout outage',
      }),
    );
    data(
      await call('/incident/post-mortem/follow-ups/reset', {
        post_mortem_id: postMortemId,
        follow_ups: '- [ ] canary deploys',
      }),
    );
    // Drafts are not in the default (published) list.
    expect(data(await call('/incident/post-mortem/list', {})).items).toEqual([]);
    const drafts = await call('/incident/post-mortem/list', { status: 'drafting' });
    expect(documented('/incident/post-mortem/list', 'post', drafts.body)).toEqual([]);
    expect(data(drafts).items.map((i: any) => i.post_mortem_id)).toEqual([postMortemId]);

    data(
      await call('/incident/post-mortem/status/reset', { post_mortem_id: postMortemId, status: 'published' }),
    );
    const res = await info(postMortemId);
    expect(documented('/incident/post-mortem/info', 'get', res.body)).toEqual([]);
    const pm = data(res);
    expect(pm.meta).toMatchObject({
      title: 'Checkout outage',
      status: 'published',
      author_ids: [owner.memberId, editor.memberId],
      channel_name: expect.any(String),
    });
    expect(pm.content.content).toBe('## Root cause\n\nA bad deploy.');
    expect(pm.follow_ups).toBe('- [ ] canary deploys');
    expect(pm.basics.responders[0]).toMatchObject({
      person_id: owner.memberId,
      person_name: expect.any(String),
    });

    // A published report's title and body are read-only; its follow-ups are not.
    expectInvalid(
      await call('/incident/post-mortem/content/reset', { post_mortem_id: postMortemId, content: 'x' }),
      'status',
    );
    data(
      await call('/incident/post-mortem/follow-ups/reset', {
        post_mortem_id: postMortemId,
        follow_ups: 'done',
      }),
    );

    const published = data(
      await call('/incident/post-mortem/list', {
        team_ids: [source.teamId],
        channel_ids: [source.channelId],
        created_at_start_seconds: nowOf(t) - 3600,
        order_by: 'updated_at_seconds',
        limit: 10,
        p: 1,
      }),
    );
    expect(published).toMatchObject({ total: 1, has_next_page: false });
    expect(published.items[0]).toMatchObject({ post_mortem_id: postMortemId, status: 'published' });
    expect(data(await call('/incident/post-mortem/list', { team_ids: [source.teamId + 1] })).total).toBe(0);
  });

  it('pages with p or with the cursor it returns', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { incidentId } = await push(t, source, { title_rule: `Paging ${i}` });
      advance(1);
      made.push(
        data(await call('/incident/post-mortem/init', { incident_ids: [incidentId] })).meta.post_mortem_id,
      );
    }
    const first = data(await call('/incident/post-mortem/list', { status: 'drafting', limit: 2, asc: true }));
    expect(first).toMatchObject({ total: 3, has_next_page: true });
    expect(first.items.map((i: any) => i.post_mortem_id)).toEqual(made.slice(0, 2));
    const next = data(
      await call('/incident/post-mortem/list', {
        status: 'drafting',
        limit: 2,
        asc: true,
        search_after_ctx: first.search_after_ctx,
      }),
    );
    expect(next.items.map((i: any) => i.post_mortem_id)).toEqual(made.slice(2));
    expect(next.has_next_page).toBe(false);
    for (const id of made) data(await call('/incident/post-mortem/delete', { post_mortem_id: id }));
  });

  it('exports the report as Markdown', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/incident/post-mortem/export?app_key=${owner.appKey}`,
      payload: { post_mortem_id: postMortemId },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.headers['content-disposition']).toContain(`post-mortem-${postMortemId}.md`);
    expect(res.body).toMatch(
      /^# Checkout outage\n\n_Status: published\. Authors: \S+, Editor\._\n\n## Root cause\n\nA bad deploy\.\n\n## Follow-ups\n\ndone\n$/,
    );
  });

  it('lists the built-in templates', async () => {
    const list = await call('/incident/post-mortem/template/list', {});
    expect(documented('/incident/post-mortem/template/list', 'post', list.body)).toEqual([]);
    expect(data(list).items.map((i: any) => i.template_id)).toEqual(['standard', 'brief']);
    const one = await t.get('/incident/post-mortem/template/info', { template_id: 'brief' }, owner.appKey);
    expect(documented('/incident/post-mortem/template/info', 'get', one.body)).toEqual([]);
    expectNotFound(await t.get('/incident/post-mortem/template/info', { template_id: 'nope' }, owner.appKey));
  });

  it('refuses bad input, naming the field, and changes nothing', async () => {
    const before = await t.db.q.selectFrom('post_mortems').selectAll().orderBy('post_mortem_id').execute();
    expectInvalid(await call('/incident/post-mortem/init', { incident_ids: [] }), 'incident_ids');
    expectInvalid(await call('/incident/post-mortem/init', { incident_ids: ['nope'] }), 'incident_ids[0]');
    expectInvalid(
      await call('/incident/post-mortem/init', { incident_ids: Array.from({ length: 21 }, () => ids[0]) }),
      'incident_ids',
    );
    expectInvalid(
      await call('/incident/post-mortem/init', { incident_ids: [ids[0]], template_id: 'x' }),
      'template_id',
    );
    expectNotFound(await call('/incident/post-mortem/init', { incident_ids: ['0'.repeat(24)] }));
    expectInvalid(
      await call('/incident/post-mortem/title/reset', { post_mortem_id: postMortemId, title: '' }),
      'title',
    );
    expectInvalid(
      await call('/incident/post-mortem/title/reset', {
        post_mortem_id: postMortemId,
        title: 'x'.repeat(257),
      }),
      'title',
    );
    expectInvalid(
      await call('/incident/post-mortem/status/reset', { post_mortem_id: postMortemId, status: 'done' }),
      'status',
    );
    expectInvalid(
      await call('/incident/post-mortem/content/reset', { post_mortem_id: 'x', content: '' }),
      'post_mortem_id',
    );
    expectInvalid(
      await call('/incident/post-mortem/content/reset', { post_mortem_id: postMortemId, content: 5 }),
      'content',
    );
    expectInvalid(await call('/incident/post-mortem/list', { status: 'all' }), 'status');
    expectInvalid(await call('/incident/post-mortem/list', { limit: 101 }), 'limit');
    expectInvalid(
      await call('/incident/post-mortem/list', { search_after_ctx: 'bogus' }),
      'search_after_ctx',
    );
    expectInvalid(
      await call('/incident/post-mortem/list', { created_at_start_seconds: 10, created_at_end_seconds: 5 }),
      'created_at_end_seconds',
    );
    expectInvalid(await t.get('/incident/post-mortem/info', {}, owner.appKey), 'post_mortem_id');
    expectNotFound(await info('f'.repeat(32)));
    const after = await t.db.q.selectFrom('post_mortems').selectAll().orderBy('post_mortem_id').execute();
    expect(after).toEqual(before);
  });

  it('needs Incidents Manage to write', async () => {
    const reader = await t.newMember(owner, [4], 'Reader');
    expect(data(await info(postMortemId, reader.appKey)).meta.post_mortem_id).toBe(postMortemId);
    const refused = await call(
      '/incident/post-mortem/delete',
      { post_mortem_id: postMortemId },
      reader.appKey,
    );
    expect(refused.status).toBe(403);
  });

  it("another account's key reads and changes nothing", async () => {
    const before = await t.db.q.selectFrom('post_mortems').selectAll().orderBy('post_mortem_id').execute();
    const key = other.appKey;
    expectNotFound(await info(postMortemId, key));
    expect(data(await call('/incident/post-mortem/list', { status: 'published' }, key)).items).toEqual([]);
    expectNotFound(await call('/incident/post-mortem/init', { incident_ids: [ids[0]] }, key));
    for (const [path, body] of [
      ['/incident/post-mortem/title/reset', { title: 'mine' }],
      ['/incident/post-mortem/content/reset', { content: 'mine' }],
      ['/incident/post-mortem/follow-ups/reset', { follow_ups: 'mine' }],
      ['/incident/post-mortem/status/reset', { status: 'drafting' }],
      ['/incident/post-mortem/delete', {}],
      ['/incident/post-mortem/export', {}],
    ] as const) {
      expectNotFound(await call(path, { post_mortem_id: postMortemId, ...body }, key));
    }
    const after = await t.db.q.selectFrom('post_mortems').selectAll().orderBy('post_mortem_id').execute();
    expect(after).toEqual(before);
  });

  it('deletes', async () => {
    data(await call('/incident/post-mortem/delete', { post_mortem_id: postMortemId }));
    expectNotFound(await info(postMortemId));
    expect(data(await call('/incident/info', { incident_id: ids[0] })).post_mortem_id).toBe('');
  });
});
