import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleContext } from '../conformance/samples.ts';
import type { TestAccount, TestApp } from '../harness/app.ts';
import {
  changedTables,
  countWrites,
  fingerprint,
  type JsonSchema,
  notAnErrorEnvelope,
  notASuccessEnvelope,
  type Operation,
  send,
  servedOperations,
  storedTables,
} from './operations.ts';
import { OWN_REPLY_SHAPE, SESSION_ONLY, sampleFor, startSampleApp } from './vigil-samples.ts';

/*
 * A schema-driven fuzzer over every operation Vigil serves (issue 17, "Tests"). Each operation's
 * valid request is changed in one place at a time, the place and the change drawn from its
 * schema: a wrong type, a missing field, an unknown one, a NUL or a lone surrogate, huge numbers
 * and strings, deep nesting; plus whole bodies that are not objects at all. It fails on any 5xx,
 * any answer that is not the envelope, and anything stored by a request that was refused.
 *
 * Deterministic: FUZZ_SEED (default below) fixes every draw, FUZZ_CASES the draws per operation.
 * A longer exploratory run: FUZZ_SEED=$RANDOM FUZZ_CASES=60 npx vitest run test/http/fuzz.test.ts
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_207);
const CASES = Number(process.env.FUZZ_CASES ?? 10);

type Path = (string | number)[];
/** A change to one place of a request; `raw` values are written into the JSON text as they are. */
type Change = { label: string; value?: unknown; remove?: true };

/** Stands for a JSON literal JavaScript cannot hold (written by serialize()). */
const raw = (literal: string) => `\u0001raw:${literal}\u0001`;

let t: TestApp;
let owner: TestAccount;
let operations: Operation[];
let tables: string[];
let writes: () => Promise<number>;

beforeAll(async () => {
  t = await startSampleApp();
  owner = await t.newAccount('Fuzz');
  operations = await servedOperations(t.app);
  tables = await storedTables(t);
  writes = await countWrites(t, tables);
});
afterAll(() => t?.close());

const nested = (levels: number, leaf: unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
};

/** The schema of the value at a path; undefined where the schema says nothing. */
function schemaAt(schema: JsonSchema | undefined, path: Path): JsonSchema | undefined {
  let node = schema;
  for (const key of path) {
    if (!node) return undefined;
    const branch = (node.anyOf ?? node.oneOf)?.find((s: JsonSchema) => s.type !== 'null' && !s.nullable) as
      | JsonSchema
      | undefined;
    if (branch) node = branch;
    node =
      typeof key === 'number'
        ? node.items
        : (node.properties?.[key] ??
          (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined));
  }
  return node;
}

/** Where a change can go: every value of the valid request, and every field its schema declares. */
function placesOf(value: unknown, schema: JsonSchema | undefined, path: Path = []): Path[] {
  const places: Path[] = path.length > 0 ? [path] : [];
  if (Array.isArray(value)) {
    for (const [i, item] of value.slice(0, 2).entries())
      places.push(...placesOf(item, schema?.items, [...path, i]));
  } else if (typeof value === 'object' && value !== null) {
    const keys = new Set([...Object.keys(value), ...Object.keys(schema?.properties ?? {})]);
    for (const key of keys) {
      places.push(
        ...placesOf((value as Record<string, unknown>)[key], schemaAt(schema, [key]), [...path, key]),
      );
    }
  }
  return places;
}

const text = fc.string({ maxLength: 12 });

/** The changes worth trying at a place, by what its schema expects there. */
function changesFor(schema: JsonSchema | undefined): fc.Arbitrary<Change> {
  const type = schema?.type ?? (schema?.enum ? typeof schema.enum[0] : undefined);
  const common: fc.Arbitrary<Change>[] = [
    fc.constant({ label: 'missing', remove: true }),
    fc.constant({ label: 'null', value: null }),
    fc.constant({ label: 'deep nesting', value: nested(40, 'x') }),
    fc.constant({ label: 'very deep nesting', value: raw(`${'['.repeat(50_000)}${']'.repeat(50_000)}`) }),
    text.map((s) => ({ label: 'NUL', value: `${s}\u0000${s}` })),
    text.map((s) => ({ label: 'lone surrogate', value: `${s}\ud800` })),
  ];
  const numbers: fc.Arbitrary<Change>[] = [
    fc.constantFrom(
      { label: 'beyond int64', value: raw('9223372036854775808') },
      { label: 'beyond 2^53', value: 2 ** 53 + 2 },
      { label: 'largest safe integer', value: Number.MAX_SAFE_INTEGER },
      { label: 'smallest safe integer', value: -Number.MAX_SAFE_INTEGER },
      { label: '1e308', value: 1e308 },
      { label: '-1e308', value: -1e308 },
      { label: '1e400', value: raw('1e400') },
      { label: 'fraction', value: 1.5 },
      { label: 'negative', value: -1 },
      { label: 'numeric text', value: '12' },
    ),
    fc.integer().map((n) => ({ label: 'any integer', value: n })),
  ];
  const strings: fc.Arbitrary<Change>[] = [
    fc.constantFrom(
      { label: 'empty', value: '' },
      { label: 'blank', value: '   ' },
      { label: 'number for text', value: 12345 },
      { label: 'huge string', value: 'x'.repeat(200_000) },
      { label: 'long string', value: 'y'.repeat(5_000) },
    ),
    fc.string({ unit: 'binary', maxLength: 40 }).map((s) => ({ label: 'any text', value: s })),
  ];
  const byType: Record<string, fc.Arbitrary<Change>[]> = {
    integer: numbers,
    number: numbers,
    string: strings,
    boolean: [
      fc.constantFrom(
        { label: 'text for boolean', value: 'true' },
        { label: 'number for boolean', value: 1 },
      ),
    ],
    array: [
      fc.constantFrom(
        { label: 'object for array', value: {} },
        { label: 'huge array', value: Array.from({ length: 5_000 }, (_, i) => i) },
        { label: 'array of strings', value: ['a\u0000', '\udfff', ''] },
        { label: 'array of numbers', value: [raw('9223372036854775808'), 1.5, -1] },
      ),
    ],
    object: [
      fc.constantFrom(
        { label: 'array for object', value: [] },
        { label: 'text for object', value: 'object' },
        { label: 'unknown fields', value: { zz_unknown_field: 'x', account_id: 1 } },
      ),
    ],
  };
  return fc.oneof(...common, ...(byType[String(type)] ?? strings));
}

/** Whole requests that are not the expected object at all. */
const wholeBodies: Change[] = [
  { label: 'array body', value: [] },
  { label: 'string body', value: 'text' },
  { label: 'number body', value: raw('1e400') },
  { label: 'deeply nested body', value: raw(`${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}`) },
];

function applied(base: unknown, path: Path, change: Change): unknown {
  if (path.length === 0) return change.value;
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node: any = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = typeof key === 'number' ? [] : {};
    node = node[key];
  }
  const last = path.at(-1)!;
  if (change.remove) {
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else delete node[last];
  } else node[last] = change.value;
  return copy;
}

/** JSON text with every raw() placeholder replaced by its literal. */
function serialize(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0001raw:(.*?)\\u0001"/g, '$1');
}

describe('fuzzing every operation', () => {
  // The timeout is a guard against a hang, not a measure: one walk over every operation takes
  // minutes on a busy 2-core machine, and grows with each operation added.
  it('answers bad input with a 4xx envelope and stores nothing for it', { timeout: 900_000 }, async () => {
    const ctx = sampleContext(t, owner);
    const failures: string[] = [];
    let before = await fingerprint(t, tables);
    let written = await writes();
    for (const [index, op] of operations.entries()) {
      const name = `${op.method.toUpperCase()} ${op.path}`;
      const sample = SESSION_ONLY.has(op.path) ? undefined : sampleFor(op.path);
      const base = sample ? await sample(ctx, t) : { input: {} };
      const auth = base.auth ?? { app_key: owner.appKey };
      // The sample's prerequisites are stored (and pushed events applied) now: they are the baseline.
      await t.waitForApplied();
      before = await fingerprint(t, tables);
      written = await writes();

      const places = placesOf(base.input, op.input);
      const drawn =
        places.length === 0
          ? []
          : fc.sample(
              fc
                .constantFrom(...places)
                .chain((path) => changesFor(schemaAt(op.input, path)).map((change) => ({ path, change }))),
              { seed: SEED + index, numRuns: CASES },
            );
      const cases = [
        ...drawn,
        ...wholeBodies.map((change) => ({ path: [] as Path, change })),
        {
          path: [] as Path,
          change: { label: 'unknown fields', value: { ...base.input, zz_unknown_field: 'x', account_id: 1 } },
        },
      ];
      for (const { path, change } of cases) {
        const where = `${name} ${path.join('.') || '(body)'} ← ${change.label}`;
        const input = applied(base.input, path, change);
        const sent = await send(t, op, op.method === 'post' ? serialize(input) : input, auth);
        // An accepted push is applied in the background: its changes belong to this request.
        const accepted = sent.status === 200 || sent.status === 202;
        if (accepted) await t.waitForApplied();
        if (sent.status >= 500) {
          failures.push(`${where}: ${sent.status} ${JSON.stringify(sent.body).slice(0, 300)}`);
        } else if (OWN_REPLY_SHAPE.has(op.path)) {
          if (!accepted && sent.status !== 400 && notAnErrorEnvelope(sent))
            failures.push(`${where}: ${sent.status} is not the envelope`);
          if (sent.status === 400 && sent.body?.status !== 'invalid event' && notAnErrorEnvelope(sent))
            failures.push(`${where}: 400 is neither the source's error nor the envelope`);
        } else {
          const wrong = sent.status === 200 ? notASuccessEnvelope(sent) : notAnErrorEnvelope(sent);
          if (wrong) failures.push(`${where}: ${sent.status} is not the envelope (${wrong})`);
        }
        // No write statement ran: nothing can have changed, and the scan of every table is skipped.
        const count = await writes();
        if (count === written) continue;
        written = count;
        const after = await fingerprint(t, tables);
        if (!accepted) {
          const changed = changedTables(before, after);
          if (changed.length > 0)
            failures.push(`${where}: refused with ${sent.status}, but changed ${changed.join(', ')}`);
        }
        before = after;
      }
    }
    expect(failures).toEqual([]);
  });
});
