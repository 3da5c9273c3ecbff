import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { newChannel } from '../ingest/helpers.ts';
import { changeInfo, invalid, ok, pageWithComponents } from './helpers.ts';

let t: TestApp;
let owner: TestAccount;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.newAccount();
});
afterAll(() => t.close());

async function newOnCallIncident(account: TestAccount, title: string, description = ''): Promise<string> {
  const channel_id = await newChannel(t, account);
  return ok(
    await t.post(
      '/incident/create',
      { incident_severity: 'Critical', title, description, channel_id },
      account.appKey,
    ),
  ).incident_id;
}

describe('POST /status-page/change/create-from-incident', () => {
  it('publishes an incident, linked to it, never with its internal description, and says so on its timeline', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const incidentId = await newOnCallIncident(owner, 'Checkout latency', 'p99 above 2 s');
    const created = ok(
      await t.post(
        '/status-page/change/create-from-incident',
        {
          page_id: pageId,
          incident_id: incidentId,
          component_changes: [{ component_id: componentIds[0], status: 'degraded' }],
        },
        owner.appKey,
      ),
    );
    expect(created.change_name).toBe('Checkout latency');
    const info = await changeInfo(t, owner, pageId, created.change_id);
    expect(info).toMatchObject({
      type: 'incident',
      title: 'Checkout latency',
      description: 'We are investigating reports of a problem and will post an update soon.',
      status: 'investigating',
      linked_change_ids: [incidentId],
      responder_ids: [owner.memberId],
      affected_components: [expect.objectContaining({ component_id: componentIds[0], status: 'degraded' })],
    });
    expect(JSON.stringify(info)).not.toContain('p99 above 2 s');
    const feed = ok(
      await t.post('/incident/feed', { incident_id: incidentId, types: ['i_publish'] }, owner.appKey),
    );
    expect(feed.items).toEqual([
      expect.objectContaining({
        type: 'i_publish',
        creator_id: owner.memberId,
        detail: {
          page_id: pageId,
          page_name: expect.any(String),
          change_id: created.change_id,
          title: 'Checkout latency',
          status: 'investigating',
        },
      }),
    ]);
  });

  it('takes a title, description and status given, and follows the event rules', async () => {
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const incidentId = await newOnCallIncident(owner, 'Internal name of the fault');
    const created = ok(
      await t.post(
        '/status-page/change/create-from-incident',
        {
          page_id: pageId,
          incident_id: incidentId,
          title: 'Payments are slow',
          status: 'identified',
          component_changes: [{ component_id: componentIds[0], status: 'partial_outage' }],
        },
        owner.appKey,
      ),
    );
    const info = await changeInfo(t, owner, pageId, created.change_id);
    expect(info).toMatchObject({
      title: 'Payments are slow',
      status: 'identified',
      description: 'We are investigating reports of a problem and will post an update soon.',
    });
    invalid(
      await t.post(
        '/status-page/change/create-from-incident',
        {
          page_id: pageId,
          incident_id: incidentId,
          component_changes: [{ component_id: componentIds[0], status: 'under_maintenance' }],
        },
        owner.appKey,
      ),
      'updates[0].component_changes[0].status',
    );
    invalid(
      await t.post(
        '/status-page/change/create-from-incident',
        { page_id: pageId, incident_id: incidentId, component_changes: [] },
        owner.appKey,
      ),
      'component_changes',
    );
  });

  it('does not publish another account’s incident', async () => {
    const other = await t.newAccount();
    const foreign = await newOnCallIncident(other, 'Theirs');
    const { pageId, componentIds } = await pageWithComponents(t, owner);
    const res = await t.post(
      '/status-page/change/create-from-incident',
      {
        page_id: pageId,
        incident_id: foreign,
        component_changes: [{ component_id: componentIds[0], status: 'degraded' }],
      },
      owner.appKey,
    );
    expect(res.body.error?.code).toBe('ResourceNotFound');
  });
});
