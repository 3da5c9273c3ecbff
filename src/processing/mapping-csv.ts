import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { invalidParameter } from '../shared/app-error.ts';
import { MAPPING_LIMITS } from './mapping.schemas.ts';
import type { RowNames } from './mapping.service.ts';

/*
 * The CSV files of mapping tables (docs/processing.md, "CSV files"): RFC 4180 as csv-parse reads
 * it, the first line naming the columns. Pure.
 */

/** A data line of an uploaded file: its line number (where the record starts) and its cells by column. */
export type CsvDoc = { line: number; doc: Record<string, string> };

/** The field every complaint about the file's content names. */
const FILE = 'file';

const fileProblem = (line: number, reason: string, column?: string) =>
  invalidParameter(FILE, `line ${line}${column === undefined ? '' : `, column ${column}`}: ${reason}`);

/** The line a record starts on: csv-parse counts lines to its end, and a quoted cell may hold line breaks. */
function startLine(endLine: number, raw: string): number {
  // The raw text of a record also holds the empty lines skipped before it.
  const breaks =
    raw
      .replace(/^[\r\n]+/, '')
      .replace(/(\r\n|\r|\n)$/, '')
      .match(/\r\n|\r|\n/g)?.length ?? 0;
  return endLine - breaks;
}

/**
 * The data lines of an uploaded file, each with a cell for every label of the schema; the header
 * must name every label once (other columns are ignored). Throws InvalidParameter naming the line.
 */
export function parseMappingCsv(text: string, labels: readonly string[]): CsvDoc[] {
  let records: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
    }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const { lines } = error as CsvError & { lines?: number };
    throw fileProblem(lines ?? 1, error.message.replace(/ (on|at) line \d+/, ''));
  }
  const [header, ...data] = records;
  if (!header)
    throw invalidParameter(FILE, `is empty: its first line names the columns (${labels.join(',')})`);
  const columns = header.record.map((name) => name.trim());
  const headerLine = startLine(header.info.lines, header.raw);
  columns.forEach((name, i) => {
    if (name !== '' && columns.indexOf(name) !== i) throw fileProblem(headerLine, 'names it twice', name);
  });
  const missing = labels.filter((label) => !columns.includes(label));
  if (missing.length > 0) {
    throw fileProblem(headerLine, `the header lacks the columns ${missing.join(', ')} of the schema`);
  }
  if (data.length > MAPPING_LIMITS.rows) {
    const first = data[MAPPING_LIMITS.rows]!;
    throw fileProblem(
      startLine(first.info.lines, first.raw),
      `a file holds at most ${MAPPING_LIMITS.rows} rows`,
    );
  }
  const at = labels.map((label) => columns.indexOf(label));
  return data.map(({ record, raw, info }) => {
    const doc: Record<string, string> = {};
    labels.forEach((label, i) => {
      doc[label] = record[at[i]!]!;
    });
    return { line: startLine(info.lines, raw), doc };
  });
}

/** How checkRows names the rows of an uploaded file: by line, and by column within it. */
export const csvRowNames = (docs: readonly CsvDoc[]): RowNames => ({
  row: (i) => `line ${docs[i]!.line}`,
  problem: (i, label, reason) => fileProblem(docs[i]!.line, reason, label),
});

/** A mapping table as a file: the labels as header, source labels first, then one line per row. */
export function toMappingCsv(labels: readonly string[], rows: readonly Record<string, string>[]): string {
  return stringify([labels, ...rows.map((fields) => labels.map((label) => fields[label] ?? ''))], {
    record_delimiter: 'unix',
  });
}
