import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/*
 * `node scripts/check-migrations.ts` (run by .ci/run): migrations are immutable and numbered without
 * new gaps. Fails when a migration committed on main reads otherwise than when it was committed (or
 * is gone), when a file is misnamed or a number is used twice, or when a number is skipped outside
 * the gaps below.
 * docs/architecture.md ("Migrations") says why the gaps exist and how to number a new migration.
 */

const DIR = 'src/db/migrations';
// The commit that edited 0020 after it was committed, the last change to a committed migration.
const BASE = 'f0ce9a2';
// Numbers never used: 0015 was skipped early on; the ranges were held for parallel work that landed
// elsewhere. A new migration takes the number after the highest one.
const KNOWN_GAPS: readonly [number, number][] = [
  [15, 15],
  [24, 49],
  [53, 59],
  [61, 79],
];

const root = path.resolve(import.meta.dirname, '..');
const problems: string[] = [];
let baseMissing = false;

const files = readdirSync(path.join(root, DIR)).filter((file) => file.endsWith('.sql'));
const numbers = new Map<number, string>();
for (const file of files) {
  if (!/^\d{4}_[a-z0-9_]+\.sql$/.test(file)) problems.push(`${file}: not named NNNN_lowercase_name.sql`);
  const number = Number(file.slice(0, 4));
  const other = numbers.get(number);
  if (other) problems.push(`${file}: number ${number} is also ${other}`);
  numbers.set(number, file);
}

const gap = (n: number) => KNOWN_GAPS.some(([from, to]) => n >= from && n <= to);
const highest = Math.max(...numbers.keys());
for (let n = 1; n <= highest; n++) {
  if (!numbers.has(n) && !gap(n)) problems.push(`number ${String(n).padStart(4, '0')} is skipped`);
  if (numbers.has(n) && gap(n))
    problems.push(`${numbers.get(n)} sits in a gap listed as unused: update KNOWN_GAPS`);
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

/**
 * Each migration as first committed: as it was at BASE, or as the commit on main's own line that
 * added it after BASE. The files must still read exactly so (a change that was undone is fine).
 */
function committedMigrations(): Map<string, string> {
  const committed = new Map<string, string>();
  for (const file of git('ls-tree', '--name-only', `${BASE}:${DIR}`).split('\n').filter(Boolean))
    committed.set(file, git('show', `${BASE}:${DIR}/${file}`));
  const added = git(
    'log',
    '--first-parent',
    '--reverse',
    '--format=%H',
    '--name-only',
    '--diff-filter=A',
    `${BASE}..HEAD`,
    '--',
    DIR,
  );
  let commit = '';
  for (const line of added.split('\n').filter(Boolean)) {
    if (/^[0-9a-f]{40}$/.test(line)) commit = line;
    else if (!committed.has(path.basename(line)))
      committed.set(path.basename(line), git('show', `${commit}:${line}`));
  }
  return committed;
}

try {
  git('cat-file', '-e', `${BASE}^{commit}`);
} catch {
  process.stdout.write(
    `check-migrations: commit ${BASE} is not in this clone; immutability checked by file names only\n`,
  );
  baseMissing = true;
}
if (!baseMissing) {
  for (const [file, text] of committedMigrations()) {
    if (!files.includes(file)) problems.push(`${file}: committed, now missing or renamed`);
    else if (readFileSync(path.join(root, DIR, file), 'utf8') !== text)
      problems.push(`${file}: changed since it was committed`);
  }
}

if (problems.length > 0) {
  process.stderr.write(`check-migrations:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `check-migrations: ${files.length} migrations, none changed after ${BASE}, no new gap\n`,
);
