/*
 * What Vigil makes of a route's body or query schema before Ajv compiles it (docs/decisions.md,
 * "Validation"): the schema as written is what the OpenAPI document publishes; the copy compiled
 * here also
 * - drops unknown fields: every object without a rule of its own for extra keys gets
 *   `additionalProperties: false`, which Ajv's `removeAdditional` turns into "strip". Free-form
 *   maps (`Type.Record`: patternProperties; `additionalProperties: <schema>` or `true`) keep
 *   their keys, as they say;
 * - keeps integers within JavaScript's safe range (±(2^53 − 1)) unless the schema bounds them
 *   itself, so no integer can overflow a bigint column or lose precision on its way there, and
 *   every number finite.
 */

const MAX_INTEGER = Number.MAX_SAFE_INTEGER;

/** A keyword of Vigil's validator (validation.ts): the number is finite. */
export const FINITE_KEYWORD = 'finite';

type Schema = Record<string, unknown>;

/** Keywords whose value is one schema. */
const ONE_SCHEMA = [
  'items',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
] as const;
/** Keywords whose value is a map from names to schemas. */
const SCHEMA_MAPS = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'] as const;
/** Keywords whose value is a list of schemas; a branch of a union must decide on extra keys itself. */
const SCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const UNIONS = new Set(['anyOf', 'oneOf', 'allOf']);

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasType = (schema: Schema, type: string) =>
  schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));

const mayHoldObject = (schema: unknown) =>
  isSchema(schema) && (schema.type === undefined || hasType(schema, 'object'));

/** The input copy of a body or query schema; `where` names the route in the error thrown at start-up. */
export function inputSchema(schema: object, where: string): object {
  return rewrite(schema, { where, path: '#', unionBranch: false }) as object;
}

type Place = { where: string; path: string; unionBranch: boolean };

function rewrite(node: unknown, place: Place): unknown {
  if (!isSchema(node)) return node;
  const out: Schema = { ...node };
  const at = (path: string, unionBranch = false): Place => ({ ...place, path, unionBranch });

  for (const key of ONE_SCHEMA) {
    if (isSchema(node[key])) out[key] = rewrite(node[key], at(`${place.path}/${key}`));
  }
  if (isSchema(node.additionalProperties)) {
    out.additionalProperties = rewrite(node.additionalProperties, at(`${place.path}/additionalProperties`));
  }
  for (const key of SCHEMA_MAPS) {
    const map = node[key];
    if (!isSchema(map)) continue;
    out[key] = Object.fromEntries(
      Object.entries(map).map(([name, sub]) => [name, rewrite(sub, at(`${place.path}/${key}/${name}`))]),
    );
  }
  for (const key of SCHEMA_LISTS) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    // A nullable object (`Type.Union([Object, Type.Null()])`) is safe: only one branch takes objects.
    const shared = UNIONS.has(key) && list.filter(mayHoldObject).length > 1;
    out[key] = list.map((sub, i) => rewrite(sub, at(`${place.path}/${key}/${i}`, shared)));
  }

  const isObject = hasType(node, 'object') || (node.type === undefined && isSchema(node.properties));
  const openEnded =
    node.additionalProperties === undefined &&
    node.patternProperties === undefined &&
    node.unevaluatedProperties === undefined;
  if (isObject && openEnded) {
    if (place.unionBranch) {
      // Ajv strips while it tries each branch, so one failing branch could strip another's fields.
      // No input schema has such a union today; one that does must decide on extra keys itself.
      throw new Error(
        `${place.where}: the object at ${place.path} is a branch of a union; give it an explicit additionalProperties`,
      );
    }
    out.additionalProperties = false;
  }

  if (hasType(node, 'integer') || hasType(node, 'number')) out[FINITE_KEYWORD] = true;
  if (hasType(node, 'integer')) {
    if (node.maximum === undefined && node.exclusiveMaximum === undefined) out.maximum = MAX_INTEGER;
    if (node.minimum === undefined && node.exclusiveMinimum === undefined) out.minimum = -MAX_INTEGER;
  }
  return out;
}
