import { compileRegex, compileWildcard } from '../src/alerts/patterns.ts';

/*
 * `npm run bench -- patterns`: the cost of one condition value on ordinary patterns and values, as
 * the ingest path evaluates them (routes, grouping cases, silence/inhibit/drop rules): the linear
 * matchers of src/alerts/patterns.ts (RE2 via re2js, the glob matcher) against the backtracking
 * JavaScript RegExp translation Vigil used before (issue 17 item 3). See docs/benchmarks.md.
 */

type Case = { name: string; val: string; values: string[] };

const HOSTS = ['db-01.prod.example.com', 'web-12.staging.example.com', 'cache-3', '10.1.2.3'];
const TITLES = [
  'CPU usage above 90% on db-01.prod.example.com for 5 minutes',
  'Disk /var almost full (97%) on web-12',
  'HTTP 5xx rate high for checkout-service in cluster nj-prod-1',
  `Kafka consumer lag ${'x'.repeat(200)}`,
];

const CASES: Case[] = [
  { name: 'regex, literal', val: '/timeout/', values: TITLES },
  { name: 'regex, (?i) alternation', val: '/(?i)(disk|cpu|memory) (usage|almost)/', values: TITLES },
  { name: 'regex, anchored host', val: '/^db-\\d+\\.prod\\./', values: HOSTS },
  { name: 'regex, IPv4 shape', val: '/^\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}$/', values: HOSTS },
  { name: 'wildcard, prefix', val: 'db-*', values: HOSTS },
  { name: 'wildcard, infix', val: '*.prod.*', values: HOSTS },
  { name: 'wildcard, ? and *', val: 'web-??.*.example.com', values: HOSTS },
  { name: 'wildcard, title', val: '*5xx*checkout*', values: TITLES },
];

/** The matcher as Vigil built it before: JavaScript RegExp (backtracking). */
function backtracking(val: string): (value: string) => boolean {
  if (val.startsWith('/') && val.endsWith('/')) {
    const body = val.slice(1, -1);
    const re = body.startsWith('(?i)') ? new RegExp(body.slice(4), 'i') : new RegExp(body);
    return (value) => re.test(value);
  }
  const source = [...val]
    .map((c) =>
      c === '*' ? '[\\s\\S]*' : c === '?' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('');
  const re = new RegExp(`^${source}$`);
  return (value) => re.test(value);
}

function linear(val: string): (value: string) => boolean {
  if (!(val.startsWith('/') && val.endsWith('/'))) return compileWildcard(val);
  const matcher = compileRegex(val.slice(1, -1));
  if (typeof matcher === 'string') throw new Error(`${val}: ${matcher}`);
  return matcher;
}

/** Nanoseconds per evaluation, over about `ms` milliseconds. */
function measure(matcher: (value: string) => boolean, values: string[], ms: number): number {
  let hits = 0;
  for (let i = 0; i < 10_000; i++) if (matcher(values[i % values.length]!)) hits++;
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < ms) {
    for (let i = 0; i < 1_000; i++) if (matcher(values[i % values.length]!)) hits++;
    runs += 1_000;
  }
  if (hits < 0) throw new Error('unreachable');
  return ((performance.now() - started) * 1e6) / runs;
}

export function runPatternsBench(): number {
  const rows = CASES.map((c) => {
    const before = measure(backtracking(c.val), c.values, 500);
    const after = measure(linear(c.val), c.values, 500);
    return { pattern: `${c.name}: ${c.val}`, before, after };
  });
  const width = Math.max(...rows.map((r) => r.pattern.length));
  const lines = [
    `${'pattern'.padEnd(width)}  before (RegExp)  after (linear)`,
    ...rows.map(
      (r) =>
        `${r.pattern.padEnd(width)}  ${`${r.before.toFixed(0)} ns`.padStart(15)}  ${`${r.after.toFixed(0)} ns`.padStart(14)}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
