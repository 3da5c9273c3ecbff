import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOOPBACK, startTestApp, type TestAccount, type TestApp } from '../harness/app.ts';
import { type FakeSlack, startFakeSlack } from '../harness/fake-slack.ts';
import { KNOWN_DEVIATIONS } from './deviations.ts';
import { SAMPLES, sampleContext } from './samples.ts';
import {
  applyDeviation,
  type DocumentedOperation,
  documentedMethods,
  documentedOperation,
  LEGACY,
  PLATFORM,
  responseSchemaFor,
  schemaErrors,
} from './schemas.ts';

/*
 * Every operation Vigil serves that Flashduty's OpenAPI documents describe is called with a
 * valid sample request, and its whole response (envelope included) must validate against the
 * documented 200 schema. See docs/conformance.md.
 */

type ServedOperation = { path: string; method: string };

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

/**
 * Operations the documents give an empty request schema (`EmptyRequest`, no properties allowed)
 * although they cannot work without fields; Vigil's fields are in docs/channels.md. Their
 * responses are still checked against the document.
 */
const UNDOCUMENTED_REQUESTS = new Set(
  ['create', 'update', 'delete', 'list', 'enable', 'disable'].map((verb) => `/channel/notify/rule/${verb}`),
);

/** Operations that answer a CSV file (docs/insights.md, "Exports"; docs/processing.md, "CSV files"). */
const CSV_EXPORTS = new Set([
  '/enrichment/mapping/data/download',
  '/insight/incident/export',
  '/insight/team/export',
  '/insight/channel/export',
  '/insight/responder/export',
]);

let t: TestApp;
let owner: TestAccount;
let served: ServedOperation[];

/** Vigil's own operations, read from the OpenAPI document it serves. */
async function servedOperations(app: TestApp['app']): Promise<ServedOperation[]> {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
  const paths = (res.json() as { paths: Record<string, Record<string, unknown>> }).paths;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => HTTP_METHODS.has(method))
      .map((method) => ({ path, method })),
  );
}

let slack: FakeSlack;

beforeAll(async () => {
  // War rooms call Slack's Web API: a local server that answers as Slack does.
  slack = await startFakeSlack();
  t = await startTestApp({ env: { ...ALLOW_LOOPBACK, SLACK_API_URL: slack.url } });
  owner = await t.newAccount('Conformance');
  served = await servedOperations(t.app);
});
afterAll(async () => {
  await t?.close();
  await slack?.close();
});

describe('conformance guards', () => {
  it('finds the operations Vigil serves', () => {
    expect(served.map((op) => op.path)).toContain('/member/info');
  });

  it('has a sample for every documented operation Vigil serves', () => {
    const missing = served
      .filter((op) => documentedOperation(op.path, op.method) && !(op.path in SAMPLES))
      .map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(missing, 'add a sample to test/conformance/samples.ts').toEqual([]);
  });

  it('serves documented paths with a documented method', () => {
    const wrong = served
      .filter((op) => documentedMethods(op.path).length > 0 && !documentedOperation(op.path, op.method))
      .map(
        (op) =>
          `${op.method.toUpperCase()} ${op.path} (documented: ${documentedMethods(op.path).join(', ')})`,
      );
    expect(wrong).toEqual([]);
  });

  it('has samples only for documented operations', () => {
    const undocumented = Object.keys(SAMPLES).filter((path) => documentedMethods(path).length === 0);
    expect(undocumented).toEqual([]);
  });

  it('patches only legacy operations, at pointers that exist', () => {
    for (const [path, deviation] of Object.entries(KNOWN_DEVIATIONS)) {
      const operations = documentedMethods(path).map((method) => documentedOperation(path, method)!);
      expect(operations.length, path).toBeGreaterThan(0);
      expect(deviation.reason, path).not.toBe('');
      expect(deviation.patches.length, path).toBeGreaterThan(0);
      for (const operation of operations) {
        expect(operation.source, `${path} is not taken from the legacy document`).toBe(LEGACY);
        expect(() => applyDeviation(operation.response, deviation), path).not.toThrow();
      }
    }
  });
});

describe('responses validate against the documented 200 schema', () => {
  for (const [path, sample] of Object.entries(SAMPLES)) {
    it(path, async (context) => {
      const op = served.find((candidate) => candidate.path === path);
      if (!op) {
        context.skip(`Vigil does not serve ${path} yet`);
        return;
      }
      const operation = documentedOperation(path, op.method);
      if (!operation) {
        throw new Error(`${op.method.toUpperCase()} ${path} is not documented with that method`);
      }
      expect(operation.response, `${operation.source} has no JSON 200 schema for ${path}`).toBeDefined();

      const input = await sample(sampleContext(t, owner));
      // The current documents describe requests reliably; the legacy export does not (see docs).
      if (
        operation.source !== LEGACY &&
        operation.request !== undefined &&
        !UNDOCUMENTED_REQUESTS.has(path)
      ) {
        expect(schemaErrors(operation.request, input), `the sample request of ${path}`).toEqual([]);
      }

      if (CSV_EXPORTS.has(path)) {
        // Documented with an empty JSON body, but a file download: Vigil answers the CSV itself.
        const raw = await t.app.inject({
          method: 'POST',
          url: `${path}?app_key=${owner.appKey}`,
          payload: input,
        });
        expect(raw.statusCode, raw.body).toBe(200);
        expect(raw.headers['content-type']).toMatch(/^text\/csv/);
        return;
      }
      const res = await send(op, input);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // Vigil's envelope, whatever the document says (the legacy one often leaves it out).
      expect(res.body.request_id).toBe(res.headers['flashcat-request-id']);
      expect(res.body).toHaveProperty('data');
      expect(res.body).not.toHaveProperty('error');

      expect(
        schemaErrors(responseSchemaFor(operation), res.body),
        `${path} against ${operation.source}`,
      ).toEqual([]);
      if (KNOWN_DEVIATIONS[path]) {
        // A deviation that the response no longer needs must go.
        expect(
          schemaErrors(operation.response, res.body),
          `KNOWN_DEVIATIONS['${path}'] is stale: ${KNOWN_DEVIATIONS[path].reason}`,
        ).not.toEqual([]);
      }
    });
  }
});

async function send(op: ServedOperation, input: Record<string, unknown>) {
  if (op.method === 'post') return t.post(op.path, input, owner.appKey);
  const query = new URLSearchParams({ app_key: owner.appKey });
  for (const [key, value] of Object.entries(input)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'object' && item !== null) {
        throw new Error(`${op.path}: ${key} cannot go in a query`);
      }
      query.append(key, String(item));
    }
  }
  const raw = await t.app.inject({ method: op.method.toUpperCase() as 'GET', url: `${op.path}?${query}` });
  return { status: raw.statusCode, headers: raw.headers, body: raw.json(), raw };
}

describe('the check itself', () => {
  const teamInfo = (): DocumentedOperation => documentedOperation('/team/info', 'post')!;

  it('takes /team/info from the platform document', () => {
    expect(teamInfo().source).toBe(PLATFORM);
  });

  it('rejects a response with a string where the document wants an integer', async () => {
    const { team_id } = await sampleContext(t, owner).team();
    const res = await t.post('/team/info', { team_id }, owner.appKey);
    const schema = responseSchemaFor(teamInfo());
    expect(schemaErrors(schema, res.body)).toEqual([]);

    const wrong = { ...res.body, data: { ...res.body.data, team_id: String(team_id) } };
    expect(schemaErrors(schema, wrong)).toEqual([expect.stringMatching(/^\/data\/team_id must be integer/)]);
  });

  it('rejects a response without its envelope or with a required field missing', async () => {
    const schema = responseSchemaFor(teamInfo());
    const { team_id } = await sampleContext(t, owner).team();
    const res = await t.post('/team/info', { team_id }, owner.appKey);
    const { request_id: _requestId, ...withoutRequestId } = res.body;
    expect(schemaErrors(schema, withoutRequestId)).not.toEqual([]);
    const { person_ids: _personIds, ...withoutPersonIds } = res.body.data;
    expect(schemaErrors(schema, { ...res.body, data: withoutPersonIds })).toEqual([
      expect.stringMatching(/^\/data must have required property 'person_ids'/),
    ]);
  });

  it('still checks the parts of a deviating response that do not deviate', () => {
    const schema = responseSchemaFor(documentedOperation('/person/app-key/list', 'post')!);
    const item = { key_id: 1, key_name: 'ci', status: 'enabled', person_id: 2, created_at: 1, updated_at: 1 };
    const body = (items: unknown[]) => ({
      request_id: '01HK8XQE3Z7JM2NTFQ5YJ8P9R4',
      data: { p: 1, limit: 20, total: items.length, has_next_page: false, items },
    });
    expect(schemaErrors(schema, body([item]))).toEqual([]);
    expect(schemaErrors(schema, body([{ ...item, key_id: '1' }]))).not.toEqual([]);
    expect(schemaErrors(schema, body([{ ...item, key: 'secret' }]))).not.toEqual([]);
  });
});
