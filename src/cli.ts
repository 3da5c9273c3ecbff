#!/usr/bin/env -S node --liftoff-only
import { request } from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Command, runCommand } from './commands.ts';
import { CONFIG_VARIABLES, type Config, ConfigError, loadConfig } from './config/config.ts';
import { restore } from './db/backup.ts';
import { type LockHolder, lockDataDir } from './db/data-dir-lock.ts';
import { databaseTimeouts, openDb } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { type ImportCommand, parseImport, runImportCommand } from './import/cli.ts';
import { PLUGIN_TYPE_KEYS, PLUGIN_TYPES, type PluginType } from './integrations/integrations.schemas.ts';
import { startServer } from './main.ts';
import { MCP_USAGE, parseMcp, runMcpStdio } from './mcp/stdio.ts';
import { systemClock } from './shared/clock.ts';

const NAME_WIDTH = Math.max(...CONFIG_VARIABLES.map((v) => v.name.length)) + 2;

const USAGE = `Usage: vigil <command> [options]

Commands:
  serve                                   run the server (HTTP API and background work)
  migrate                                 apply pending database migrations
  account create --name NAME --email EMAIL [--member-name NAME]
                                          create an account, its Owner and an app key; prints JSON
  integration create --app-key KEY --type TYPE (alert.standard, alert.prometheus, alert.pagerduty,
      alert.grafana, alert.aws-cloudwatch, alert.datadog, alert.sentry, alert.uptime-kuma,
      alert.n9e, alert.zabbix, alert.heartbeat, alert.webhook, alert.email, change.standard)
                     --name NAME [--channel-id ID]
                                          create an integration; prints JSON with its integration_key
  member set-password --email EMAIL [--account-id ID]
                                          set a member's console password, read from standard input
  backup --out FILE                       a consistent copy of the running or stopped database
  restore --from FILE                     bring a backup back into an empty DATA_DIR or database
  import pagerduty|opsgenie|grafana-oncall --api-url URL --token TOKEN --app-key KEY [--plan]
         [--only users,teams,schedules,escalations,integrations] [--vigil-url URL] [--now ISO] [--json]
                                          import from another on-call system through Vigil's API
                                          (docs/import.md); --plan changes nothing
${MCP_USAGE}

Configuration comes from the environment:
${CONFIG_VARIABLES.map((v) => `  ${v.name.padEnd(NAME_WIDTH)}${v.meaning}${v.default ? ` (default ${v.default})` : ''}`).join('\n')}
`;

class UsageError extends Error {}

/** The integration types events come in through (webhooks are made in the console or the API). */
const EVENT_TYPES = PLUGIN_TYPE_KEYS.filter((t) => PLUGIN_TYPES[t].category.startsWith('event.'));

/** A command whose secret comes from standard input rather than the command line (visible in `ps`). */
type PasswordCommand = { name: 'member set-password'; email: string; accountId: number | undefined };

function parseCommand(
  argv: string[],
): Command | PasswordCommand | ImportCommand | RestoreCommand | 'serve' | 'help' {
  if (argv[0] === 'import') {
    try {
      return parseImport(argv.slice(1));
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      'member-name': { type: 'string' },
      'app-key': { type: 'string' },
      type: { type: 'string' },
      'channel-id': { type: 'string' },
      'account-id': { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const verb = positionals.join(' ');
  const required = (option: keyof typeof values): string => {
    const value = values[option];
    if (typeof value !== 'string' || value === '')
      throw new UsageError(`vigil ${verb}: --${option} is required`);
    return value;
  };
  if (values.help || verb === '' || verb === 'help') return 'help';
  switch (verb) {
    case 'serve':
      return 'serve';
    case 'migrate':
      return { name: 'migrate' };
    case 'account create':
      return {
        name: 'account create',
        account: { name: required('name'), email: required('email'), memberName: values['member-name'] },
      };
    case 'integration create': {
      const type = required('type');
      if (!EVENT_TYPES.includes(type as PluginType)) {
        throw new UsageError(`vigil integration create: --type must be one of ${EVENT_TYPES.join(', ')}`);
      }
      const channel = values['channel-id'];
      if (channel !== undefined && !/^\d+$/.test(channel))
        throw new UsageError('vigil integration create: --channel-id must be a number');
      return {
        name: 'integration create',
        appKey: required('app-key'),
        integration: {
          name: required('name'),
          plugin_type: type as PluginType,
          channel_id: channel === undefined ? undefined : Number(channel),
        },
      };
    }
    case 'member set-password': {
      const account = values['account-id'];
      if (account !== undefined && !/^\d+$/.test(account))
        throw new UsageError('vigil member set-password: --account-id must be a number');
      return {
        name: 'member set-password',
        email: required('email'),
        accountId: account === undefined ? undefined : Number(account),
      };
    }
    case 'backup':
      return { name: 'backup', out: path.resolve(required('out')) };
    case 'restore':
      return { name: 'restore', from: path.resolve(required('from')) };
    default:
      throw new UsageError(`vigil: unknown command "${verb}"`);
  }
}

/** Sends a command to the server that holds the PGlite directory, through its control socket. */
function sendToServer(socketPath: string, command: Command): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timeout = command.name === 'backup' ? 600_000 : 30_000;
    const req = request({ socketPath, path: '/', method: 'POST', timeout }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => {
        const parsed = JSON.parse(body) as { result?: unknown; error?: string };
        if (parsed.error !== undefined) reject(new Error(parsed.error));
        else resolve(parsed.result);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`the server did not answer within ${timeout / 1000} s`)));
    req.on('error', reject);
    req.end(JSON.stringify(command));
  });
}

async function runDirect(config: Config, command: Command): Promise<unknown> {
  const db = await openDb(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
    { timeouts: databaseTimeouts(config) },
  );
  try {
    // A backup copies the database as it is.
    if (command.name !== 'migrate' && command.name !== 'backup') await migrate(db);
    return await runCommand({ db, clock: systemClock, config }, command);
  } finally {
    await db.close();
  }
}

async function execute(config: Config, command: Command): Promise<unknown> {
  if (config.databaseUrl) return runDirect(config, command);
  // PGlite allows one process per directory: run here if it is free, else through its server.
  let holder: LockHolder | undefined;
  for (let attempt = 0; attempt < 50; attempt++) {
    const lock = lockDataDir(config.dataDir, { role: 'cli' });
    if (lock.acquired) {
      try {
        return await runDirect(config, command);
      } finally {
        lock.release();
      }
    }
    holder = lock.holder;
    if (holder.role === 'server' && holder.socket) {
      try {
        return await sendToServer(holder.socket, command);
      } catch (error) {
        if (
          (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' &&
          (error as NodeJS.ErrnoException).code !== 'ENOENT'
        )
          throw error;
        // The server is still starting (its socket is not open yet): wait and try again.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `${config.dataDir} is held by process ${holder?.pid} (${holder?.role}), which does not answer. ` +
      'Stop that process and run the command again, or set DATABASE_URL to use PostgreSQL.',
  );
}

type RestoreCommand = { name: 'restore'; from: string };

/** A restore runs here, never through a server: the target must be empty and nobody's. */
async function runRestore(config: Config, from: string) {
  if (config.databaseUrl) {
    const databaseUrl = config.databaseUrl;
    return restore({ databaseUrl }, from, () => openDb({ databaseUrl }));
  }
  const lock = lockDataDir(config.dataDir, { role: 'cli' });
  if (!lock.acquired)
    throw new Error(
      `${config.dataDir} is held by process ${lock.holder.pid} (${lock.holder.role}); restore into a new DATA_DIR`,
    );
  try {
    return await restore({ dataDir: config.dataDir }, from, () => openDb({ dataDir: config.dataDir }));
  } finally {
    lock.release();
  }
}

/** The password: one line typed at a prompt (not echoed), or standard input when it is piped. */
async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += chunk;
    return text.replace(/\r?\n$/, '');
  }
  process.stderr.write('Password: ');
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (key: string) => {
      for (const char of key) {
        if (char === '\u0003' || char === '\r' || char === '\n') {
          stdin.setRawMode(false);
          stdin.off('data', onData);
          stdin.pause();
          process.stderr.write('\n');
          if (char === '\u0003') reject(new Error('cancelled'));
          else resolve(typed);
          return;
        }
        typed = char === '\u007f' ? typed.slice(0, -1) : typed + char;
      }
    };
    stdin.on('data', onData);
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'mcp' && !argv.includes('--help') && !argv.includes('-h')) {
    let command: ReturnType<typeof parseMcp>;
    try {
      command = parseMcp(argv.slice(1), process.env);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    await runMcpStdio(command);
    return 0;
  }
  let parsed: ReturnType<typeof parseCommand>;
  try {
    parsed = parseCommand(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  if (typeof parsed !== 'string' && parsed.name === 'member set-password') {
    parsed = { ...parsed, password: await readPassword() };
  }
  if (typeof parsed !== 'string' && parsed.name === 'restore') {
    process.stdout.write(`${JSON.stringify(await runRestore(config, parsed.from))}\n`);
    return 0;
  }
  if (typeof parsed !== 'string' && parsed.name === 'import') {
    return runImportCommand(parsed, config, process.stdout, process.stderr);
  }
  if (parsed === 'serve') {
    const server = await startServer(config);
    // SIGTERM is a balancer's or an orchestrator's stop: drain first. SIGINT is someone at a terminal.
    const stop = async (drain: boolean) => {
      process.exit((await server.shutdown({ drain })) ? 0 : 1);
    };
    process.once('SIGINT', () => void stop(false));
    process.once('SIGTERM', () => void stop(true));
    return -1; // keep running
  }
  const result = await execute(config, parsed);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `vigil: ${error.message}\n`);
    process.exitCode = 1;
  },
);
