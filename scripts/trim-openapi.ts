/**
 * Trims Flashduty's OpenAPI documents to what the conformance test needs, so the project's
 * tests never read ../shared: for every path and method, the JSON request body schema and the
 * JSON schema of the 200 response, with every $ref resolved inline and documentation removed.
 *
 *   node scripts/trim-openapi.ts [source-dir]
 *
 * source-dir (relative to the working directory) defaults to ../shared/reference/flashduty-openapi
 * relative to the repository root;
 * the output goes to test/fixtures/openapi/<same name>.json. Keys are sorted, so regenerating
 * from the same documents produces byte-identical files.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** One operation of a trimmed document. A missing schema means the document has no JSON one. */
export type TrimmedOperation = { request?: JsonObject | boolean; response?: JsonObject | boolean };

export type TrimmedDocument = {
  /** The file this was trimmed from. */
  source: string;
  /** The document's `openapi` version, which decides the JSON Schema dialect. */
  openapi: string;
  /** The document's `info.version`. */
  version: string;
  paths: { [path: string]: { [method: string]: TrimmedOperation } };
};

export const DOCUMENTS = ['on-call.openapi.en.json', 'platform.openapi.en.json', 'openapi.legacy.zh.json'];

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** Annotations removed when their value is text (a property *named* like this is kept). */
const TEXT_ANNOTATIONS = new Set(['description', 'summary', 'title', '$comment']);
/** Sample values, removed whatever their form. */
const SAMPLE_KEYWORDS = new Set(['example', 'examples']);
/**
 * OpenAPI-only keywords dropped as such. A `discriminator` on a property that names a sibling
 * property is first rewritten by `liftDiscriminators`; any other one is dropped, its `oneOf` kept.
 */
const DROPPED_KEYWORDS = new Set(['discriminator', 'externalDocs', 'xml']);

/** Keywords whose value is a map from names (not keywords) to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose value is a schema. */
const SCHEMA_VALUES = new Set([
  'additionalProperties',
  'unevaluatedProperties',
  'unevaluatedItems',
  'additionalItems',
  'propertyNames',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'contentSchema',
]);
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local JSON pointer ("#/components/schemas/APP%20Key") inside a document. */
function resolvePointer(document: JsonObject, ref: string): Json {
  if (!ref.startsWith('#/')) throw new Error(`Only local $refs are supported, found ${ref}`);
  let node: Json = document;
  for (const raw of ref.slice(2).split('/')) {
    const segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (!isObject(node) || !(segment in node)) throw new Error(`Unresolvable $ref ${ref}`);
    node = node[segment]!;
  }
  return node;
}

/** Follows $refs of non-schema objects (responses, request bodies) until a concrete object. */
function deref(document: JsonObject, value: Json | undefined): JsonObject | undefined {
  const seen = new Set<string>();
  let node = value;
  while (isObject(node) && typeof node.$ref === 'string') {
    if (seen.has(node.$ref)) throw new Error(`Circular $ref ${node.$ref}`);
    seen.add(node.$ref);
    node = resolvePointer(document, node.$ref);
  }
  return isObject(node) ? node : undefined;
}

/**
 * Resolves one root schema: every $ref inlined, documentation stripped, OpenAPI 3.0 idioms
 * rewritten as JSON Schema. A $ref that re-enters itself (a recursive schema) becomes a
 * reference into the root's own `$defs`, so the result stays finite and self-contained.
 */
export function trimSchema(document: JsonObject, schema: Json, openapi = '3.1.0'): JsonObject | boolean {
  const legacyDialect = openapi.startsWith('3.0');
  const defs: JsonObject = {};
  const defNames = new Map<string, string>();
  const pending: string[] = [];

  const defName = (ref: string): string => {
    let name = defNames.get(ref);
    if (name === undefined) {
      const base = decodeURIComponent(ref.slice(ref.lastIndexOf('/') + 1)).replace(/[^A-Za-z0-9_.-]/g, '_');
      name = base;
      for (let n = 2; [...defNames.values()].includes(name); n += 1) name = `${base}_${n}`;
      defNames.set(ref, name);
      pending.push(ref);
    }
    return name;
  };

  const walk = (node: Json, stack: readonly string[]): Json => {
    if (typeof node === 'boolean') return node;
    if (!isObject(node)) throw new Error(`Expected a schema, found ${JSON.stringify(node)}`);

    if (typeof node.$ref === 'string') {
      const ref = node.$ref;
      const resolved = stack.includes(ref)
        ? { $ref: `#/$defs/${defName(ref)}` }
        : walk(resolvePointer(document, ref), [...stack, ref]);
      const { $ref: _ref, ...siblings } = node;
      const rest = walk(siblings, stack) as JsonObject;
      // 3.1 lets $ref carry sibling keywords; they apply together with the referenced schema.
      return Object.keys(rest).length === 0
        ? resolved
        : { ...rest, allOf: [resolved, ...asList(rest.allOf)] };
    }

    const lifted = liftDiscriminators(node);
    if (lifted) {
      const { schema, rules } = lifted;
      const out = walk(schema, stack) as JsonObject;
      const allOf = rules.map(({ value, property, name, ref }) => ({
        if: { properties: { [name]: { const: value } }, required: [name] },
        // biome-ignore lint/suspicious/noThenProperty: `then` is JSON Schema's keyword here, not a thenable.
        then: { properties: { [property]: walk({ $ref: ref }, stack) } },
      }));
      return { ...out, allOf: [...asList(out.allOf), ...allOf] };
    }

    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-') || DROPPED_KEYWORDS.has(key) || SAMPLE_KEYWORDS.has(key)) continue;
      if (TEXT_ANNOTATIONS.has(key) && typeof value === 'string') continue;
      if (SCHEMA_MAPS.has(key) && isObject(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, walk(sub, stack)]));
      } else if (SCHEMA_VALUES.has(key) && (isObject(value) || typeof value === 'boolean')) {
        out[key] = walk(value, stack);
      } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
        out[key] = value.map((sub) => walk(sub, stack));
      } else if (key === 'items') {
        out[key] = Array.isArray(value) ? value.map((sub) => walk(sub, stack)) : walk(value, stack);
      } else {
        // Data (enum, const, default, required, type, format, limits…): copied as it is.
        out[key] = value;
      }
    }
    return legacyDialect ? fromOpenApi30(out) : out;
  };

  const root = walk(schema, []);
  // Each recursive component is resolved once into $defs, its own self-references included.
  for (let i = 0; i < pending.length; i += 1) {
    const ref = pending[i]!;
    defs[defNames.get(ref)!] = walk(resolvePointer(document, ref), [ref]);
  }
  if (typeof root === 'boolean') return root;
  if (!isObject(root)) throw new Error('A schema resolved to something that is not a schema');
  return Object.keys(defs).length === 0 ? root : { ...root, $defs: defs };
}

type DiscriminatorRule = { value: string; property: string; name: string; ref: string };

/**
 * The discriminators of an object schema's properties that name a sibling property, as Flashduty
 * writes them: `detail: {oneOf: [...], discriminator: {propertyName: 'type', mapping}}` beside
 * `type`. JSON Schema cannot check them where they stand, so each is lifted to the object: for
 * every mapping entry, `if` the sibling equals the key `then` the property holds the mapped
 * schema. The bare `oneOf` it replaces is dropped (its open alternatives cannot match exactly
 * once). Returns the object schema without those keywords and the rules, or undefined if none.
 */
export function liftDiscriminators(
  node: JsonObject,
): { schema: JsonObject; rules: DiscriminatorRule[] } | undefined {
  if (!isObject(node.properties)) return undefined;
  const properties: JsonObject = { ...node.properties };
  const rules: DiscriminatorRule[] = [];
  for (const [property, sub] of Object.entries(node.properties)) {
    if (!isObject(sub) || !isObject(sub.discriminator)) continue;
    const { propertyName: name, mapping } = sub.discriminator;
    if (typeof name !== 'string' || name === property || !(name in properties) || !isObject(mapping))
      continue;
    for (const [value, target] of Object.entries(mapping)) {
      if (typeof target !== 'string') throw new Error(`Discriminator mapping ${value} is not a $ref`);
      // A bare name stands for a component schema (OpenAPI 3.1 §4.8.25).
      rules.push({
        value,
        property,
        name,
        ref: target.includes('/') ? target : `#/components/schemas/${target}`,
      });
    }
    const { discriminator: _discriminator, oneOf: _oneOf, ...rest } = sub;
    properties[property] = rest;
  }
  return rules.length === 0 ? undefined : { schema: { ...node, properties }, rules };
}

function asList(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/** OpenAPI 3.0's `nullable` and boolean exclusive bounds, rewritten in JSON Schema 2020-12 terms. */
function fromOpenApi30(schema: JsonObject): JsonObject {
  const out = { ...schema };
  if (out.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  delete out.nullable;
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (out[flag] === true && typeof out[bound] === 'number') {
      out[flag] = out[bound];
      delete out[bound];
    } else if (out[flag] === false) delete out[flag];
  }
  return out;
}

function jsonSchemaOf(holder: JsonObject | undefined): Json | undefined {
  const content = holder?.content;
  if (!isObject(content)) return undefined;
  const media = Object.entries(content).find(([type]) => /^application\/(.+\+)?json\b/.test(type));
  return media && isObject(media[1]) && media[1].schema !== undefined ? media[1].schema : undefined;
}

/** Trims one parsed OpenAPI document. */
export function trimDocument(document: JsonObject, source: string): TrimmedDocument {
  const openapi = typeof document.openapi === 'string' ? document.openapi : '3.1.0';
  const info = isObject(document.info) ? document.info : {};
  const paths: TrimmedDocument['paths'] = {};
  for (const [path, rawItem] of Object.entries(isObject(document.paths) ? document.paths : {})) {
    const item = deref(document, rawItem);
    if (!item) continue;
    for (const [method, rawOperation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const operation = deref(document, rawOperation);
      if (!operation) continue;
      const trimmed: TrimmedOperation = {};
      const request = jsonSchemaOf(deref(document, operation.requestBody));
      if (request !== undefined) trimmed.request = trimSchema(document, request, openapi);
      const responses = isObject(operation.responses) ? operation.responses : {};
      const response = jsonSchemaOf(deref(document, responses['200']));
      if (response !== undefined) trimmed.response = trimSchema(document, response, openapi);
      paths[path] ??= {};
      paths[path][method] = trimmed;
    }
  }
  return { source, openapi, version: typeof info.version === 'string' ? info.version : '', paths };
}

/** Stable JSON: object keys sorted at every depth, array order kept, two-space indent. */
export function stableStringify(value: unknown): string {
  const sort = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(sort);
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(
        Object.keys(node)
          .sort()
          .map((key) => [key, sort((node as Record<string, unknown>)[key])]),
      );
    }
    return node;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const argument = process.argv[2];
  const sourceDir = argument ? resolve(argument) : resolve(root, '../shared/reference/flashduty-openapi');
  const outDir = join(root, 'test/fixtures/openapi');
  mkdirSync(outDir, { recursive: true });
  for (const name of DOCUMENTS) {
    const document = JSON.parse(readFileSync(join(sourceDir, name), 'utf8')) as JsonObject;
    const trimmed = trimDocument(document, name);
    const text = stableStringify(trimmed);
    writeFileSync(join(outDir, name), text);
    const operations = Object.values(trimmed.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    console.log(`${name}: ${operations} operations, ${text.length} bytes`);
  }
}

if (import.meta.main) main();
