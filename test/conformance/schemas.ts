import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { TrimmedDocument, TrimmedOperation } from '../../scripts/trim-openapi.ts';
import { type Deviation, KNOWN_DEVIATIONS } from './deviations.ts';

// ajv-formats is CommonJS; under native ESM its plugin sits on `default`.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** The trimmed documents, in order of precedence: the current ones first, the legacy one last. */
const ONCALL = 'on-call.openapi.en.json';
export const PLATFORM = 'platform.openapi.en.json';
export const LEGACY = 'openapi.legacy.zh.json';
const PRECEDENCE = [ONCALL, PLATFORM, LEGACY] as const;

function loadFixture(name: string): TrimmedDocument {
  const url = new URL(`../fixtures/openapi/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as TrimmedDocument;
}

const documents = PRECEDENCE.map((name) => ({ name, document: loadFixture(name) }));

export type DocumentedOperation = TrimmedOperation & { path: string; method: string; source: string };

/** The document that describes an operation: on-call or platform first, legacy only when neither does. */
export function documentedOperation(path: string, method: string): DocumentedOperation | undefined {
  for (const { name, document } of documents) {
    const operation = document.paths[path]?.[method];
    if (operation) return { ...operation, path, method, source: name };
  }
  return undefined;
}

/** The methods Flashduty documents for a path, in any document. */
export function documentedMethods(path: string): string[] {
  return [...new Set(documents.flatMap(({ document }) => Object.keys(document.paths[path] ?? {})))];
}

/**
 * JSON Schema 2020-12 (the dialect of OpenAPI 3.1), every error reported, unknown OpenAPI
 * keywords tolerated. OpenAPI's numeric formats only name a storage width, so they accept any
 * number of the declared type; `binary` names a file upload.
 */
function makeAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  for (const format of ['int32', 'int64', 'uint64', 'float', 'double']) {
    ajv.addFormat(format, { type: 'number', validate: () => true });
  }
  ajv.addFormat('binary', { type: 'string', validate: () => true });
  return ajv;
}

const ajv = makeAjv();

/** Validates a value, returning Ajv's errors in a readable form (empty when valid). */
export function schemaErrors(schema: unknown, value: unknown): string[] {
  const validate = ajv.compile(schema as object);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describeError);
}

function describeError(error: ErrorObject): string {
  return `${error.instancePath || '(root)'} ${error.message ?? error.keyword} ${JSON.stringify(error.params)} [schema ${error.schemaPath}]`;
}

/** The node at a JSON pointer ("/properties/data/required"), given as its segments. */
function nodeAt(root: unknown, segments: readonly string[], pointer: string): unknown {
  let node = root;
  for (const segment of segments) {
    if (typeof node !== 'object' || node === null || !(segment in node)) {
      throw new Error(`JSON pointer ${pointer} does not exist in the schema`);
    }
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${pointer} must start with /`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/**
 * A copy of the schema with each patch applied in turn: the node at the patch's pointer, which
 * must exist, is replaced by what the patch makes of it.
 */
export function applyDeviation(schema: unknown, deviation: Deviation): unknown {
  let patched = structuredClone(schema);
  for (const patch of deviation.patches) {
    const segments = pointerSegments(patch.at);
    const replacement = patch.with(structuredClone(nodeAt(patched, segments, patch.at)));
    if (segments.length === 0) {
      patched = replacement;
    } else {
      const parent = nodeAt(patched, segments.slice(0, -1), patch.at) as Record<string, unknown>;
      parent[segments.at(-1)!] = replacement;
    }
  }
  return patched;
}

/** The 200 schema a Vigil response is held to: the document's, with its known deviation applied. */
export function responseSchemaFor(operation: DocumentedOperation): unknown {
  const deviation = KNOWN_DEVIATIONS[operation.path];
  return deviation ? applyDeviation(operation.response, deviation) : operation.response;
}
