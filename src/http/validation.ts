import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { type AppError, invalidParameter } from '../shared/app-error.ts';
import { hintFor } from './field-hints.ts';
import { FINITE_KEYWORD, inputSchema } from './input-schema.ts';

// ajv-formats is CommonJS; under native ESM its plugin sits on `default`.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    // A JSON body is taken as typed: 5 for a string field is an error, as Flashduty's server answers.
    // Query strings are text by nature, so they are coerced.
    coerceTypes,
    useDefaults: true,
    // Unknown fields are dropped where a schema says `additionalProperties: false`, which
    // inputSchema() says on every object that has no rule of its own for extra keys.
    removeAdditional: true,
    // 1e400 parses to Infinity, and a query string can say "NaN": neither is a number to store.
    strictNumbers: true,
    allErrors: false,
    strict: false,
  });
  addFormats(ajv);
  // Coercing the query text "Infinity" gives Infinity, which Ajv then counts as an integer and
  // exempts from minimum and maximum; inputSchema() puts this keyword on every number.
  // (No `type: 'number'` on the keyword: Ajv would then skip it for non-finite numbers too.)
  ajv.addKeyword({
    keyword: FINITE_KEYWORD,
    schemaType: 'boolean',
    error: { message: 'must be a finite number' },
    validate: (_: boolean, data: unknown) => typeof data !== 'number' || Number.isFinite(data),
  });
  return ajv;
}

const bodyAjv = makeAjv(false);
const queryAjv = makeAjv('array' as unknown as boolean);

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart, method, url }) => {
  if (httpPart === 'body') return bodyAjv.compile(inputSchema(schema, `${method} ${url} body`));
  if (httpPart === 'querystring') return queryAjv.compile(inputSchema(schema, `${method} ${url} query`));
  return queryAjv.compile(schema);
};

/** `/members/0/email` → `members[0].email`. */
function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

/** Turns the first schema violation into an InvalidParameter error that names the field. */
export function validationError(errors: readonly ErrorObject[], part: string): AppError {
  const error = errors[0];
  if (!error) return invalidParameter(part, 'invalid');
  const base = fieldPath(error.instancePath);
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return invalidParameter(base ? `${base}.${missing}` : missing, 'it is required', 'This is required.');
  }
  let reason = error.message ?? 'invalid';
  if (error.keyword === 'enum') {
    reason = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  } else if (error.keyword === 'const') {
    // A union of literals fails in each of its branches: name every value the union allows.
    const allowed = errors
      .filter((e) => e.keyword === 'const' && e.instancePath === error.instancePath)
      .map((e) => JSON.stringify((e.params as { allowedValue: unknown }).allowedValue));
    reason = allowed.length > 1 ? `must be one of ${allowed.join(', ')}` : `must be ${allowed[0]}`;
  }
  const hint = hintFor(error.keyword, error.params as Record<string, unknown>);
  if (!base) {
    return invalidParameter(part === 'body' ? 'request body' : part, reason, hint);
  }
  return invalidParameter(base, reason, hint);
}
