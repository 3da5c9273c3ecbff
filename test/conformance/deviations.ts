/**
 * Where Vigil deliberately answers differently from Flashduty's LEGACY OpenAPI document (the
 * older Apifox export, used only for operations the current documents lack). Each entry patches
 * the documented 200 schema as narrowly as it can: a patch replaces the node at one JSON pointer
 * with what `with` makes of it, so every other part of the response is still checked against
 * the document. docs/conformance.md lists these with their reasons; keep the two in step.
 *
 * Deviations from the current documents (on-call, platform) are not allowed: there the response
 * must validate as documented.
 */

type SchemaPatch = {
  /** JSON pointer into the trimmed 200 schema, e.g. "/properties/data". */
  at: string;
  /** The node that replaces the documented one, which it receives (a copy) so it can keep what still applies. */
  with: (documented: any) => unknown;
};

export type Deviation = {
  /** Why Vigil differs; repeated in docs/conformance.md. */
  reason: string;
  patches: SchemaPatch[];
};

/** A legacy object schema with one property forbidden: it may no longer appear, nor be required. */
function forbidProperty(schema: any, name: string): any {
  return {
    ...schema,
    properties: { ...schema.properties, [name]: false },
    required: (schema.required ?? []).filter((required: string) => required !== name),
  };
}

/** The legacy export types these integration fields as strings; every current document has int64 numbers. */
const NUMERIC_INTEGRATION_FIELDS = ['created_at', 'updated_at', 'creator_id'];

function integerAt(base: string): SchemaPatch[] {
  return NUMERIC_INTEGRATION_FIELDS.map((field) => ({
    at: `${base}/properties/${field}`,
    with: () => ({ type: 'integer', minimum: 0 }),
  }));
}

const INTEGER_REASON =
  'The legacy export types `created_at`, `updated_at` and `creator_id` as strings; Vigil sends Unix ' +
  'seconds and ids as integers, as the current documents do for every timestamp and id (ARCHITECTURE §1).';

/** A page of items ({p, limit, total, has_next_page, items}) holding the documented item schema. */
function pageOf(item: unknown) {
  return {
    type: 'object',
    required: ['p', 'limit', 'total', 'has_next_page', 'items'],
    properties: {
      p: { type: 'integer', minimum: 1 },
      limit: { type: 'integer', minimum: 1 },
      total: { type: 'integer', minimum: 0 },
      has_next_page: { type: 'boolean' },
      items: { type: 'array', items: item },
    },
  };
}

export const KNOWN_DEVIATIONS: Record<string, Deviation> = {
  '/person/app-key/list': {
    reason:
      'The legacy document declares `data` as one app key whose secret `key` is required. Vigil lists keys ' +
      'in the page shape of every other list ({p, limit, total, has_next_page, items}) and never returns ' +
      'a secret after /person/app-key/create (only its hash is stored). Each item is still held to the ' +
      'documented key schema, with `key` forbidden instead of required.',
    patches: [{ at: '/properties/data', with: (key) => pageOf(forbidProperty(key, 'key')) }],
  },
  '/datasource/list': {
    reason:
      'The legacy document declares `data` as a bare array of integrations. Vigil lists in the page ' +
      'shape of every other list ({p, limit, total, has_next_page, items}); each item is held to the ' +
      'documented integration schema. ' +
      INTEGER_REASON,
    patches: [
      { at: '/properties/data', with: (array) => pageOf(array.items) },
      ...integerAt('/properties/data/properties/items/items'),
    ],
  },
  '/datasource/desc': {
    reason:
      'The legacy export requires a top-level property with an empty name (`""`), an Apifox artefact ' +
      'no client can use; Vigil answers in the plain envelope. ' +
      INTEGER_REASON,
    patches: [
      { at: '/required', with: (required) => required.filter((name: string) => name !== '') },
      ...integerAt('/properties/data'),
    ],
  },
};
