import path from 'node:path';
import { OutboundAllow } from '../notifications/providers/outbound-policy.ts';

/**
 * Process configuration, read from the environment and validated before anything listens.
 * Each entry documents itself; `secret` entries are redacted wherever config is printed.
 */
/** SNS's own endpoints: https://sns.<region>.amazonaws.com (.com.cn in China). */
const DEFAULT_SNS_URL_PATTERN = '^https://sns\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/';

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Seconds to wait for PostgreSQL at start before giving up (docs/engine.md, "Database faults"). */
  databaseStartupTimeoutSeconds: number;
  /** PostgreSQL's statement_timeout for ordinary statements; the client gives up a second later. */
  databaseStatementTimeoutSeconds: number;
  /** The same for long work: insights, CSV exports, table maintenance (migrations have none). */
  databaseLongStatementTimeoutSeconds: number;
  /** Seconds to open a PostgreSQL connection or wait for a free one in the pool. */
  databaseConnectTimeoutSeconds: number;
  /** Milliseconds a Redis command may take before the rate limits count in memory instead. */
  redisCommandTimeoutMs: number;
  /** How long a custom action's endpoint has to answer (docs/custom-actions.md). */
  customActionTimeoutMs: number;
  publicUrl: string;
  logLevel: LogLevel;
  rateLimitAccountPerSecond: number;
  rateLimitAccountPerMinute: number;
  rateLimitIntegrationPerSecond: number;
  rateLimitIntegrationPerMinute: number;
  engineIntervalSeconds: number;
  /** Seconds a SIGTERM'd process keeps serving while /healthz says draining (docs/deploy.md). */
  shutdownDrainSeconds: number;
  /** Seconds after the drain for in-flight work to finish before the process exits anyway. */
  shutdownTimeoutSeconds: number;
  /** Events accepted and not yet applied, database-wide, past which pushes get 429 (docs/ingest.md). */
  ingestBacklogMaxEvents: number;
  /** Age of the oldest unapplied event past which pushes get 429. */
  ingestBacklogMaxAgeSeconds: number;
  /** Background appliers of the ingest log in this process (0: this instance only accepts). */
  ingestApplyWorkers: number | undefined;
  /** Events one apply transaction takes at most. */
  ingestApplyBatchMax: number;
  /** Seconds between heartbeats on the console's event stream (docs/console.md). */
  consoleHeartbeatSeconds: number;
  /** Days the audit log keeps an entry; the engine removes older ones (docs/audit.md). */
  auditRetentionDays: number;
  /** SMTP server for e-mail (status-page subscribers); undefined: e-mail is not sent. */
  smtpUrl: string | undefined;
  /** The inbound SMTP listener of e-mail integrations (docs/sources.md "E-mail"); unset: off. */
  inboundSmtpPort: number | undefined;
  inboundSmtpHost: string;
  inboundSmtpMaxBytes: number;
  smtpFrom: string;
  /** SMS/voice HTTP gateway for notifications (docs/notifications.md); undefined: none is sent. */
  phoneProviderUrl: string | undefined;
  phoneProviderToken: string | undefined;
  telegramApiUrl: string;
  /** Slack's Web API, for war rooms (docs/war-rooms.md). */
  slackApiUrl: string;
  /** Feishu's (or Lark's) Open Platform API, for war rooms (docs/war-rooms.md). */
  feishuApiUrl: string;
  /** Atlassian Statuspage's REST API v1, read by the Statuspage migration (docs/status-pages.md). */
  statuspageApiUrl: string;
  /** What beyond public addresses the URLs account members set may reach (docs/webhooks.md). */
  outboundAllow: OutboundAllow;
  /** Where SNS signing certificates and subscription confirmations may be fetched from (docs/sources.md). */
  awsSnsUrlPattern: RegExp;
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** The documented settings: name, default and meaning. README's configuration table mirrors this. */
export const CONFIG_VARIABLES = [
  { name: 'PORT', default: '8080', meaning: 'HTTP port' },
  { name: 'HOST', default: '0.0.0.0', meaning: 'interface to listen on' },
  { name: 'DATA_DIR', default: './data', meaning: 'directory of the embedded PGlite database' },
  {
    name: 'DATABASE_URL',
    default: '',
    meaning: 'PostgreSQL URL; when set, PGlite is not used',
    secret: true,
  },
  {
    name: 'DATABASE_STARTUP_TIMEOUT_SECONDS',
    default: '300',
    meaning: 'seconds to wait for PostgreSQL at start (retrying with back-off) before exiting, 1-86400',
  },
  {
    name: 'DATABASE_STATEMENT_TIMEOUT_SECONDS',
    default: '30',
    meaning: 'longest statement (PostgreSQL statement_timeout; the client gives up 1 s later), 1-3600',
  },
  {
    name: 'DATABASE_LONG_STATEMENT_TIMEOUT_SECONDS',
    default: '600',
    meaning: 'the same for insights, CSV exports and table maintenance, 1-86400',
  },
  {
    name: 'DATABASE_CONNECT_TIMEOUT_SECONDS',
    default: '5',
    meaning: 'seconds to open a PostgreSQL connection or wait for a free one, 1-300',
  },
  { name: 'REDIS_URL', default: '', meaning: 'Redis URL; shares rate limits across instances', secret: true },
  {
    name: 'REDIS_COMMAND_TIMEOUT_MS',
    default: '50',
    meaning: 'a Redis command slower than this counts the rate limit in memory instead, 1-60000',
  },
  {
    name: 'CUSTOM_ACTION_TIMEOUT_MS',
    default: '10000',
    meaning: "how long a custom action's endpoint has to answer, 100-60000",
  },
  { name: 'PUBLIC_URL', default: 'http://localhost:PORT', meaning: 'base of links Vigil sends (detail_url)' },
  { name: 'LOG_LEVEL', default: 'info', meaning: LOG_LEVELS.join(', ') },
  {
    name: 'RATE_LIMIT_ACCOUNT_PER_SECOND',
    default: '50',
    meaning: 'Open API calls per account per second; 0 = off',
  },
  {
    name: 'RATE_LIMIT_ACCOUNT_PER_MINUTE',
    default: '1000',
    meaning: 'Open API calls per account per minute; 0 = off',
  },
  {
    name: 'RATE_LIMIT_INTEGRATION_PER_SECOND',
    default: '1000',
    meaning: 'event pushes per integration per second; 0 = off',
  },
  {
    name: 'RATE_LIMIT_INTEGRATION_PER_MINUTE',
    default: '0',
    meaning: 'event pushes per integration per minute; 0 = off',
  },
  {
    name: 'ENGINE_INTERVAL_SECONDS',
    default: '5',
    meaning: 'seconds between background engine cycles (snooze expiry, auto-resolve), 1-3600',
  },
  {
    name: 'SHUTDOWN_DRAIN_SECONDS',
    default: '5',
    meaning: 'after SIGTERM, seconds of serving with /healthz answering draining, 0-300',
  },
  {
    name: 'SHUTDOWN_TIMEOUT_SECONDS',
    default: '30',
    meaning: 'then seconds for in-flight requests and deliveries to finish before exiting anyway, 1-3600',
  },
  {
    name: 'INGEST_BACKLOG_MAX_EVENTS',
    default: '500000',
    meaning:
      'events accepted and not yet applied (all instances) past which pushes answer 429 with Retry-After, 1-100000000',
  },
  {
    name: 'INGEST_BACKLOG_MAX_AGE_SECONDS',
    default: '300',
    meaning: 'age of the oldest unapplied event past which pushes answer 429, 1-86400',
  },
  {
    name: 'INGEST_APPLY_WORKERS',
    default: '2 on PostgreSQL, 1 on PGlite',
    meaning:
      'ingest log appliers in this process, 0-16; 0: the instance accepts events and leaves applying to others',
  },
  {
    name: 'INGEST_APPLY_BATCH_MAX',
    default: '2000',
    meaning: 'events one apply transaction takes at most, 1-10000 (larger batches cost less per event)',
  },
  {
    name: 'CONSOLE_HEARTBEAT_SECONDS',
    default: '25',
    meaning: "seconds between heartbeats on the console's live-update stream, 1-300",
  },
  {
    name: 'AUDIT_RETENTION_DAYS',
    default: '180',
    meaning: 'days the audit log keeps an entry before the engine removes it, 1-3650',
  },
  {
    name: 'SMTP_URL',
    default: '',
    meaning: 'SMTP server for e-mail (smtp://user:pass@host:587, smtps:// for TLS); unset: no e-mail is sent',
    secret: true,
  },
  { name: 'SMTP_FROM', default: 'Vigil <vigil@localhost>', meaning: 'sender of the e-mail Vigil sends' },
  {
    name: 'INBOUND_SMTP_PORT',
    default: '',
    meaning:
      'port of the SMTP listener that turns mail to <integration_key>@any-domain into alerts; unset: off',
  },
  { name: 'INBOUND_SMTP_HOST', default: '0.0.0.0', meaning: 'address the inbound SMTP listener binds' },
  {
    name: 'INBOUND_SMTP_MAX_BYTES',
    default: '1048576',
    meaning: 'largest inbound message accepted (bytes, 1 KiB–25 MiB); larger ones are refused with 552',
  },
  {
    name: 'PHONE_PROVIDER_URL',
    default: '',
    meaning: 'base URL of the SMS/voice HTTP gateway (POST {url}/sms, {url}/voice); unset: no SMS or voice',
  },
  {
    name: 'PHONE_PROVIDER_TOKEN',
    default: '',
    meaning: 'bearer token sent to the SMS/voice gateway',
    secret: true,
  },
  { name: 'TELEGRAM_API_URL', default: 'https://api.telegram.org', meaning: 'Telegram Bot API base URL' },
  { name: 'SLACK_API_URL', default: 'https://slack.com/api', meaning: 'Slack Web API base URL (war rooms)' },
  {
    name: 'FEISHU_API_URL',
    default: 'https://open.feishu.cn/open-apis',
    meaning: 'Feishu/Lark Open Platform base URL (war rooms)',
  },
  {
    name: 'STATUSPAGE_API_URL',
    default: 'https://api.statuspage.io/v1',
    meaning: 'Atlassian Statuspage REST API v1 base URL, read by /status-page/migrate-*',
  },
  {
    name: 'OUTBOUND_ALLOW',
    default: '',
    meaning:
      'comma-separated CIDRs, addresses and host names (*.corp.example) that webhooks, status-page webhook subscribers and chat bots may call besides public addresses (loopback, private, link-local and metadata addresses are refused otherwise)',
  },
  {
    name: 'AWS_SNS_URL_PATTERN',
    default: DEFAULT_SNS_URL_PATTERN,
    meaning:
      'regular expression an SNS SigningCertURL and SubscribeURL must match before Vigil fetches them (AWS CloudWatch through SNS); keep the default outside tests',
  },
] as const;

export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

function outboundAllow(raw: string | undefined, problems: string[]): OutboundAllow {
  if (raw === undefined) return OutboundAllow.none;
  const parsed = OutboundAllow.parse(raw);
  for (const problem of parsed.problems) problems.push(`OUTBOUND_ALLOW: ${problem}`);
  return parsed.allow;
}

function pattern(name: string, text: string, fallback: string, problems: string[]): RegExp {
  try {
    return new RegExp(text);
  } catch {
    problems.push(`${name}: not a regular expression`);
    return new RegExp(fallback);
  }
}

/** Reads and validates every setting, reporting all bad values at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };

  const url = (name: string, protocols: string[]): string | undefined => {
    const raw = read(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) {
        problems.push(
          `${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, got "${parsed.protocol}//…"`,
        );
      }
    } catch {
      problems.push(`${name} is not a valid URL`);
    }
    return raw;
  };

  const port = integer('PORT', 8080, 0, 65535);
  const host = read('HOST') ?? '0.0.0.0';
  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const config: Config = {
    port,
    host,
    dataDir: path.resolve(read('DATA_DIR') ?? './data'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    databaseStartupTimeoutSeconds: integer('DATABASE_STARTUP_TIMEOUT_SECONDS', 300, 1, 86_400),
    databaseStatementTimeoutSeconds: integer('DATABASE_STATEMENT_TIMEOUT_SECONDS', 30, 1, 3600),
    databaseLongStatementTimeoutSeconds: integer('DATABASE_LONG_STATEMENT_TIMEOUT_SECONDS', 600, 1, 86_400),
    databaseConnectTimeoutSeconds: integer('DATABASE_CONNECT_TIMEOUT_SECONDS', 5, 1, 300),
    redisCommandTimeoutMs: integer('REDIS_COMMAND_TIMEOUT_MS', 50, 1, 60_000),
    customActionTimeoutMs: integer('CUSTOM_ACTION_TIMEOUT_MS', 10_000, 100, 60_000),
    publicUrl: (url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    logLevel: logLevel as LogLevel,
    rateLimitAccountPerSecond: integer('RATE_LIMIT_ACCOUNT_PER_SECOND', 50, 0, 1_000_000),
    rateLimitAccountPerMinute: integer('RATE_LIMIT_ACCOUNT_PER_MINUTE', 1000, 0, 60_000_000),
    // A self-hosted Vigil absorbs an alert storm and reduces it by grouping rather than refusing it.
    rateLimitIntegrationPerSecond: integer('RATE_LIMIT_INTEGRATION_PER_SECOND', 1000, 0, 1_000_000),
    rateLimitIntegrationPerMinute: integer('RATE_LIMIT_INTEGRATION_PER_MINUTE', 0, 0, 60_000_000),
    engineIntervalSeconds: integer('ENGINE_INTERVAL_SECONDS', 5, 1, 3600),
    shutdownDrainSeconds: integer('SHUTDOWN_DRAIN_SECONDS', 5, 0, 300),
    shutdownTimeoutSeconds: integer('SHUTDOWN_TIMEOUT_SECONDS', 30, 1, 3600),
    ingestBacklogMaxEvents: integer('INGEST_BACKLOG_MAX_EVENTS', 500_000, 1, 100_000_000),
    ingestBacklogMaxAgeSeconds: integer('INGEST_BACKLOG_MAX_AGE_SECONDS', 300, 1, 86_400),
    ingestApplyBatchMax: integer('INGEST_APPLY_BATCH_MAX', 2_000, 1, 10_000),
    ingestApplyWorkers:
      read('INGEST_APPLY_WORKERS') === undefined ? undefined : integer('INGEST_APPLY_WORKERS', 0, 0, 16),
    consoleHeartbeatSeconds: integer('CONSOLE_HEARTBEAT_SECONDS', 25, 1, 300),
    auditRetentionDays: integer('AUDIT_RETENTION_DAYS', 180, 1, 3650),
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    smtpFrom: read('SMTP_FROM') ?? 'Vigil <vigil@localhost>',
    inboundSmtpPort:
      read('INBOUND_SMTP_PORT') === undefined ? undefined : integer('INBOUND_SMTP_PORT', 0, 0, 65_535),
    inboundSmtpHost: read('INBOUND_SMTP_HOST') ?? '0.0.0.0',
    inboundSmtpMaxBytes: integer('INBOUND_SMTP_MAX_BYTES', 1_048_576, 1024, 25 * 1024 * 1024),
    phoneProviderUrl: url('PHONE_PROVIDER_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    phoneProviderToken: read('PHONE_PROVIDER_TOKEN'),
    telegramApiUrl: (url('TELEGRAM_API_URL', ['http:', 'https:']) ?? 'https://api.telegram.org').replace(
      /\/+$/,
      '',
    ),
    slackApiUrl: (url('SLACK_API_URL', ['http:', 'https:']) ?? 'https://slack.com/api').replace(/\/+$/, ''),
    feishuApiUrl: (url('FEISHU_API_URL', ['http:', 'https:']) ?? 'https://open.feishu.cn/open-apis').replace(
      /\/+$/,
      '',
    ),
    statuspageApiUrl: (
      url('STATUSPAGE_API_URL', ['http:', 'https:']) ?? 'https://api.statuspage.io/v1'
    ).replace(/\/+$/, ''),
    outboundAllow: outboundAllow(read('OUTBOUND_ALLOW'), problems),
    awsSnsUrlPattern: pattern(
      'AWS_SNS_URL_PATTERN',
      read('AWS_SNS_URL_PATTERN') ?? DEFAULT_SNS_URL_PATTERN,
      DEFAULT_SNS_URL_PATTERN,
      problems,
    ),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
