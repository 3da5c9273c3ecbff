import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS, type Json, stableStringify, trimDocument } from '../../scripts/trim-openapi.ts';
import { schemaErrors } from './schemas.ts';

type Doc = { [key: string]: Json };

/** A small document in the shape of Flashduty's: envelope via allOf, shared responses, $refs. */
function documentWith(schemas: Doc, operation: Doc, openapi = '3.1.0'): Doc {
  return {
    openapi,
    info: { title: 'Sample', version: '1.2.3', description: 'Dropped' },
    servers: [{ url: 'https://api.example.com' }],
    tags: [{ name: 'Things' }],
    paths: { '/thing/info': { summary: 'Things', post: operation } },
    components: {
      schemas,
      requestBodies: {
        ThingRequest: {
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing%20Request' } } },
        },
      },
      responses: {
        ThingOk: {
          description: 'Success',
          content: {
            'application/json': {
              schema: {
                allOf: [
                  { $ref: '#/components/schemas/SuccessEnvelope' },
                  { type: 'object', properties: { data: { $ref: '#/components/schemas/Thing' } } },
                ],
              },
              example: { request_id: 'x', data: {} },
            },
          },
        },
      },
    },
  };
}

const envelope = {
  type: 'object',
  title: 'Envelope',
  required: ['request_id', 'data'],
  properties: { request_id: { type: 'string', description: 'Request id' }, data: {} },
};

describe('trimming an OpenAPI document', () => {
  const document = documentWith(
    {
      SuccessEnvelope: envelope,
      'Thing Request': {
        type: 'object',
        required: ['thing_id'],
        'x-apifox-orders': ['thing_id'],
        properties: { thing_id: { type: 'integer', format: 'int64', example: 7 } },
      },
      Thing: {
        type: 'object',
        description: 'A thing',
        required: ['thing_id', 'description', 'title'],
        properties: {
          thing_id: { type: 'integer', format: 'int64', 'x-order': 1 },
          description: { type: 'string', description: 'What it is', examples: ['a box'] },
          title: { type: 'string', title: 'Title' },
          kind: { enum: [{ description: 'kept: enum values are data' }] },
          owner: { $ref: '#/components/schemas/Person', description: 'Its owner', required: ['name'] },
        },
      },
      Person: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          manager: { $ref: '#/components/schemas/Person' },
          reports: { type: 'array', items: { $ref: '#/components/schemas/Person' } },
        },
      },
    },
    {
      summary: 'Get a thing',
      description: 'Long text',
      tags: ['Things'],
      'x-mint': { href: '/x' },
      requestBody: { $ref: '#/components/requestBodies/ThingRequest' },
      responses: { '200': { $ref: '#/components/responses/ThingOk' }, '400': { description: 'Bad' } },
    },
  );
  const trimmed = trimDocument(document, 'sample.json');
  const operation = trimmed.paths['/thing/info']!.post!;

  it('keeps only the request and 200 schemas of each operation', () => {
    expect(Object.keys(trimmed)).toEqual(['source', 'openapi', 'version', 'paths']);
    expect(trimmed).toMatchObject({ source: 'sample.json', openapi: '3.1.0', version: '1.2.3' });
    expect(Object.keys(operation).sort()).toEqual(['request', 'response']);
    expect(operation.request).toEqual({
      type: 'object',
      required: ['thing_id'],
      properties: { thing_id: { type: 'integer', format: 'int64' } },
    });
  });

  it('strips documentation but keeps properties named like it', () => {
    const text = JSON.stringify(operation.response);
    expect(text).not.toMatch(/"(title|example|examples|summary)":"|"description":"(A thing|What|Its|Req)|x-/);
    const thing = (operation.response as any).allOf[1].properties.data;
    expect(Object.keys(thing.properties)).toEqual(['thing_id', 'description', 'title', 'kind', 'owner']);
    expect(thing.properties.description).toEqual({ type: 'string' });
    expect(thing.properties.title).toEqual({ type: 'string' });
    expect(thing.properties.kind.enum).toEqual([{ description: 'kept: enum values are data' }]);
    expect(thing.required).toEqual(['thing_id', 'description', 'title']);
  });

  it('resolves $refs inline, applying the keywords beside a $ref too', () => {
    expect(text(operation)).not.toContain('#/components');
    const owner = (operation.response as any).allOf[1].properties.data.properties.owner;
    expect(owner.required).toEqual(['name']);
    expect(owner.allOf[0].type).toBe('object');
  });

  it('turns a recursive schema into $defs that still validate', () => {
    const response = operation.response as any;
    expect(Object.keys(response.$defs)).toEqual(['Person']);
    expect(response.$defs.Person.properties.manager).toEqual({ $ref: '#/$defs/Person' });
    const body = (manager: unknown) => ({
      request_id: 'r',
      data: { thing_id: 1, description: 'box', title: 'Box', owner: { name: 'Ann', manager } },
    });
    expect(
      schemaErrors(response, body({ name: 'Bo', reports: [{ name: 'Cy', manager: { name: 'Di' } }] })),
    ).toEqual([]);
    expect(schemaErrors(response, body({ name: 'Bo', reports: [{ manager: { name: 5 } }] }))).toEqual([
      expect.stringMatching(/^\/data\/owner\/manager\/reports\/0\/manager\/name must be string/),
    ]);
  });

  it('rewrites OpenAPI 3.0 nullable and boolean exclusive bounds', () => {
    const legacy = documentWith(
      {
        SuccessEnvelope: envelope,
        'Thing Request': { type: 'object' },
        Thing: {
          type: 'object',
          properties: {
            note: { type: 'string', nullable: true },
            level: { type: 'string', enum: ['a', 'b'], nullable: true },
            count: { type: 'integer', minimum: 0, exclusiveMinimum: true, nullable: false },
          },
        },
      },
      { responses: { '200': { $ref: '#/components/responses/ThingOk' } } },
      '3.0.3',
    );
    const thing = (trimDocument(legacy, 'legacy.json').paths['/thing/info']!.post!.response as any).allOf[1]
      .properties.data;
    expect(thing.properties).toEqual({
      note: { type: ['string', 'null'] },
      level: { type: ['string', 'null'], enum: ['a', 'b', null] },
      count: { type: 'integer', exclusiveMinimum: 0 },
    });
  });

  it('lifts a discriminator naming a sibling property into if/then rules on the object', () => {
    const detail = (props: Doc): Doc => ({ type: 'object', properties: props });
    const lifted = documentWith(
      {
        SuccessEnvelope: envelope,
        'Thing Request': { type: 'object' },
        Thing: {
          type: 'object',
          required: ['type', 'detail'],
          properties: {
            type: { type: 'string', enum: ['open', 'note', 'other'] },
            detail: {
              description: 'Shape depends on type',
              oneOf: [{ $ref: '#/components/schemas/Open' }, { $ref: '#/components/schemas/Note' }],
              discriminator: {
                propertyName: 'type',
                mapping: { open: '#/components/schemas/Open', note: 'Note' },
              },
            },
          },
        },
        Open: detail({ severity: { type: 'string', enum: ['Critical', 'Ok'] } }),
        Note: detail({ comment: { type: 'string' } }),
      },
      { responses: { '200': { $ref: '#/components/responses/ThingOk' } } },
    );
    const response = trimDocument(lifted, 'lifted.json').paths['/thing/info']!.post!.response as any;
    const thing = response.allOf[1].properties.data;
    expect(thing.properties.detail).toEqual({});
    expect(thing.allOf).toEqual([
      {
        if: { properties: { type: { const: 'open' } }, required: ['type'] },
        // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword here, not a thenable.
        then: { properties: { detail: detail({ severity: { type: 'string', enum: ['Critical', 'Ok'] } }) } },
      },
      {
        if: { properties: { type: { const: 'note' } }, required: ['type'] },
        // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword here, not a thenable.
        then: { properties: { detail: detail({ comment: { type: 'string' } }) } },
      },
    ]);
    const body = (type: string, d: unknown) => ({ request_id: 'r', data: { type, detail: d } });
    // Both details would match both open alternatives: the bare oneOf rejected them all.
    expect(schemaErrors(response, body('open', { severity: 'Ok' }))).toEqual([]);
    expect(schemaErrors(response, body('note', { comment: 'hi' }))).toEqual([]);
    expect(schemaErrors(response, body('other', { anything: 1 }))).toEqual([]);
    expect(schemaErrors(response, body('open', { severity: 'Loud' }))).toEqual([
      expect.stringMatching(/^\/data\/detail\/severity must be equal to one of the allowed values/),
      expect.stringMatching(/must match "then" schema/),
    ]);
    expect(schemaErrors(response, body('note', { comment: 5 }))).toEqual([
      expect.stringMatching(/^\/data\/detail\/comment must be string/),
      expect.stringMatching(/must match "then" schema/),
    ]);
  });

  it('refuses a $ref it cannot resolve', () => {
    const broken = documentWith({ SuccessEnvelope: envelope, 'Thing Request': {} }, {
      responses: { '200': { $ref: '#/components/responses/ThingOk' } },
    } as Doc);
    expect(() => trimDocument(broken, 'broken.json')).toThrow('Unresolvable $ref #/components/schemas/Thing');
  });

  it('writes keys sorted at every depth', () => {
    expect(stableStringify({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{\n  "a": {\n    "c": null,\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
    );
  });
});

function text(value: unknown): string {
  return JSON.stringify(value);
}

describe('the committed fixtures', () => {
  for (const name of DOCUMENTS) {
    it(`${name} is trimmed, self-contained and in canonical form`, () => {
      const raw = readFileSync(new URL(`../fixtures/openapi/${name}`, import.meta.url), 'utf8');
      const fixture = JSON.parse(raw);
      expect(stableStringify(fixture)).toBe(raw);
      expect(fixture.source).toBe(name);
      expect(Object.keys(fixture.paths).length).toBeGreaterThan(20);
      expect(raw).not.toMatch(/"\$ref": "(?!#\/\$defs\/)/);
      expect(raw).not.toMatch(/"(summary|title|description|example)": "/);
      expect(raw).not.toMatch(/"x-[^"]*":/);
    });
  }
});
