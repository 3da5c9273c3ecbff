import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { KINDS, type Kind, SOURCES, type SourceName } from './model.ts';
import { formatReport } from './report.ts';
import { runImport } from './run.ts';
import { checkSourceUrl } from './source-http.ts';
import { openSource } from './sources/index.ts';
import { httpVigilApi } from './vigil-api.ts';

/*
 * `vigil import <source> …`: the operator's import, a client of Vigil's API over HTTP with the
 * member's app key (docs/import.md). The operator may give any http(s) source URL. The report goes
 * to standard output (text, or JSON with --json), progress to standard error; the exit status is 1
 * when a stage stopped or an item failed.
 */

export type ImportCommand = {
  name: 'import';
  source: SourceName;
  apiUrl: string;
  token: string;
  appKey: string;
  vigilUrl: string | undefined;
  plan: boolean;
  only: Kind[];
  now: number | undefined;
  json: boolean;
};

export function parseImport(argv: string[]): ImportCommand {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'api-url': { type: 'string' },
      token: { type: 'string' },
      'app-key': { type: 'string' },
      'vigil-url': { type: 'string' },
      plan: { type: 'boolean' },
      only: { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const source = positionals[0];
  if (positionals.length !== 1 || !SOURCES.includes(source as SourceName)) {
    throw new Error(`vigil import: name the source: ${SOURCES.join(', ')}`);
  }
  const required = (option: 'api-url' | 'token' | 'app-key'): string => {
    const value = values[option];
    if (!value) throw new Error(`vigil import: --${option} is required`);
    return value;
  };
  const apiUrl = required('api-url');
  const problem = checkSourceUrl(apiUrl);
  if (problem) throw new Error(`vigil import: --api-url ${problem}`);
  const only = values.only === undefined ? [...KINDS] : values.only.split(',').map((k) => k.trim());
  const unknown = only.find((k) => !KINDS.includes(k as Kind));
  if (unknown !== undefined || only.length === 0) {
    throw new Error(`vigil import: --only takes ${KINDS.join(',')} (got "${unknown ?? ''}")`);
  }
  let now: number | undefined;
  if (values.now !== undefined) {
    now = Math.floor(Date.parse(values.now) / 1000);
    if (Number.isNaN(now)) throw new Error('vigil import: --now must be an ISO 8601 date-time');
  }
  return {
    name: 'import',
    source: source as SourceName,
    apiUrl,
    token: required('token'),
    appKey: required('app-key'),
    vigilUrl: values['vigil-url'],
    plan: values.plan ?? false,
    only: only as Kind[],
    now,
    json: values.json ?? false,
  };
}

type Out = { write(text: string): unknown };

export async function runImportCommand(
  command: ImportCommand,
  config: Config,
  out: Out,
  err: Out,
): Promise<number> {
  const now = command.now ?? Math.floor(Date.now() / 1000);
  const { source, http } = openSource({
    source: command.source,
    apiUrl: command.apiUrl,
    token: command.token,
    now,
  });
  const report = await runImport({
    api: httpVigilApi(command.vigilUrl ?? config.publicUrl, command.appKey),
    source,
    only: command.only,
    mode: command.plan ? 'plan' : 'apply',
    now,
    onProgress: (stage, message) => err.write(`[${stage}] ${message}\n`),
    stats: () => ({ calls: http.calls, throttled: http.throttled }),
  });
  out.write(command.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  const failed = report.error !== undefined || report.items.some((i) => i.action === 'failed');
  return failed ? 1 : 0;
}
