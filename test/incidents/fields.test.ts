import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { expectInvalid } from './read-helpers.ts';

/*
 * Custom field definitions (/field/*, the legacy document's; docs/incidents.md, "Custom fields"):
 * the rules of a definition, bad input naming the field, and other accounts kept out.
 */

let t: TestApp;
let owner: TestAccount;
let other: TestAccount;
let observer: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount('Fields');
  other = await t.newAccount('Other');
  // Role 4: Read-only.
  observer = await t.newMember(owner, [4], 'Watcher');
});
afterAll(() => t?.close());

const create = (body: Record<string, unknown>, key = owner.appKey) => t.post('/field/create', body, key);
const select = (name: string, extra: Record<string, unknown> = {}) => ({
  field_name: name,
  display_name: 'Queue',
  field_type: 'single_select',
  value_type: 'string',
  options: ['OPS', 'DEV'],
  ...extra,
});
const rows = () => t.db.q.selectFrom('incident_field_definitions').selectAll().orderBy('field_id').execute();

describe('/field/create, /field/info, /field/list', () => {
  it('creates each type and reads it back', async () => {
    const bodies = [
      select('queue', { default_value: 'DEV', description: 'where it goes' }),
      {
        field_name: 'notes',
        display_name: 'Notes',
        field_type: 'text',
        value_type: 'string',
        default_value: 'none',
      },
      {
        field_name: 'customer_facing',
        display_name: 'Customer facing',
        field_type: 'checkbox',
        value_type: 'bool',
        default_value: false,
      },
      select('areas', {
        field_type: 'multi_select',
        options: ['db', 'web', 'net'],
        default_value: ['db', 'net'],
      }),
    ];
    const ids: string[] = [];
    for (const body of bodies) {
      const res = await create(body);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.data).toEqual({
        field_id: expect.stringMatching(/^[0-9a-f]{24}$/),
        field_name: body.field_name,
      });
      ids.push(res.body.data.field_id);
    }
    const info = await t.post('/field/info', { field_id: ids[0]!.toUpperCase() }, owner.appKey);
    expect(info.body.data).toEqual({
      account_id: owner.accountId,
      field_id: ids[0],
      field_name: 'queue',
      display_name: 'Queue',
      description: 'where it goes',
      field_type: 'single_select',
      value_type: 'string',
      options: ['OPS', 'DEV'],
      default_value: 'DEV',
      status: 'enabled',
      creator_id: owner.memberId,
      updated_by: owner.memberId,
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
    });
    const list = await t.post('/field/list', {}, observer.appKey);
    expect(list.status).toBe(200);
    expect(list.body.data.items.map((f: any) => [f.field_name, f.default_value])).toEqual([
      ['queue', 'DEV'],
      ['notes', 'none'],
      ['customer_facing', false],
      ['areas', ['db', 'net']],
    ]);
    // A field without a default answers null.
    const plain = await create(select('plain'));
    const read = await t.post('/field/info', { field_id: plain.body.data.field_id }, owner.appKey);
    expect(read.body.data.default_value).toBeNull();
  });

  it('refuses bad definitions, naming the field, and stores nothing', async () => {
    const before = await rows();
    const cases: [Record<string, unknown>, string][] = [
      [select('has-dash'), 'field_name'],
      [select('x'.repeat(41)), 'field_name'],
      [select('ok', { field_type: 'dropdown' }), 'field_type'],
      [select('ok', { value_type: 'bool' }), 'value_type'],
      [{ ...select('ok'), field_type: 'checkbox', options: [] }, 'value_type'],
      [select('ok', { options: [] }), 'options'],
      [select('ok', { options: ['a', 'a'] }), 'options'],
      [select('ok', { options: [1, 2] }), 'options[0]'],
      [
        { field_name: 'ok', display_name: 'T', field_type: 'text', value_type: 'string', options: ['a'] },
        'options',
      ],
      [select('ok', { default_value: 'QA' }), 'default_value'],
      [select('ok', { field_type: 'multi_select', default_value: 'OPS' }), 'default_value'],
      [
        {
          field_name: 'ok',
          display_name: 'C',
          field_type: 'checkbox',
          value_type: 'bool',
          default_value: 'yes',
        },
        'default_value',
      ],
      [
        {
          field_name: 'ok',
          display_name: 'T',
          field_type: 'text',
          value_type: 'string',
          default_value: 'x'.repeat(6145),
        },
        'default_value',
      ],
      [{ field_name: 'ok', field_type: 'text', value_type: 'string' }, 'display_name'],
    ];
    for (const [body, field] of cases) expectInvalid(await create(body), field);
    expect(await rows()).toEqual(before);
  });

  it('keeps names unique per account, free again once deleted', async () => {
    const first = await create(select('dup'));
    expectInvalid(await create(select('dup')), 'field_name');
    expect((await create(select('dup'), other.appKey)).status).toBe(200);
    await t.post('/field/delete', { field_id: first.body.data.field_id }, owner.appKey);
    expect((await create(select('dup'))).status).toBe(200);
  });
});

describe('/field/update and /field/delete', () => {
  it('updates the display name, options and default, keeping them consistent', async () => {
    const { field_id } = (await create(select('severity_class', { default_value: 'OPS' }))).body.data;
    const update = (body: Record<string, unknown>) =>
      t.post('/field/update', { field_id, ...body }, owner.appKey);
    expect((await update({ display_name: 'Class', options: ['OPS', 'SEC'] })).status).toBe(200);
    // Dropping the option the default names is refused, unless the default changes with it.
    expectInvalid(await update({ options: ['SEC'] }), 'default_value');
    expect((await update({ options: ['SEC'], default_value: 'SEC' })).status).toBe(200);
    expect((await update({ default_value: null })).status).toBe(200);
    const info = (await t.post('/field/info', { field_id }, owner.appKey)).body.data;
    expect(info).toMatchObject({
      display_name: 'Class',
      options: ['SEC'],
      default_value: null,
      field_name: 'severity_class',
    });
  });

  it('deletes: info and update answer not found, the list leaves it out', async () => {
    const { field_id } = (await create(select('doomed'))).body.data;
    expect((await t.post('/field/delete', { field_id }, owner.appKey)).status).toBe(200);
    for (const path of ['/field/info', '/field/delete', '/field/update']) {
      const res = await t.post(path, { field_id }, owner.appKey);
      expect(res.body.error?.code, path).toBe('ResourceNotFound');
    }
    const list = await t.post('/field/list', {}, owner.appKey);
    expect(list.body.data.items.map((f: any) => f.field_id)).not.toContain(field_id);
  });
});

describe('access', () => {
  it("another account's key neither reads nor changes a field", async () => {
    const { field_id } = (await create(select('private_one'))).body.data;
    const before = await rows();
    for (const [path, body] of [
      ['/field/info', { field_id }],
      ['/field/update', { field_id, display_name: 'Hijacked' }],
      ['/field/delete', { field_id }],
    ] as const) {
      const res = await t.post(path, body, other.appKey);
      expect(res.body.error?.code, path).toBe('ResourceNotFound');
    }
    const list = await t.post('/field/list', {}, other.appKey);
    expect(list.body.data.items.map((f: any) => f.field_id)).not.toContain(field_id);
    expect(await rows()).toEqual(before);
  });

  it('an observer reads but cannot change fields', async () => {
    const res = await create(select('by_observer'), observer.appKey);
    expect(res.status).toBe(403);
    expect(res.body.error?.code).toBe('AccessDenied');
  });
});
