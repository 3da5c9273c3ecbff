import type { LightMyRequestResponse } from 'fastify';
import type { Redis } from 'ioredis';
import { createAccount } from '../../src/accounts/accounts.service.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { Db } from '../../src/db/db.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Api } from '../../src/http/route.ts';
import { Engine } from '../../src/jobs/engine.ts';
import { engineModules } from '../../src/jobs/modules.ts';
import { EmailProvider } from '../../src/notifications/providers/email.ts';
import type { OutboxWorker } from '../../src/notifications/worker.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createStatusPageWorker, type NotificationPassReport } from '../../src/status-pages/delivery.ts';
import { createWebhookWorker, type WebhookPassReport } from '../../src/webhooks/webhooks.delivery.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export type ApiResponse<T = any> = {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: { request_id: string; data?: T; error?: { code: string; message: string } };
  raw: LightMyRequestResponse;
};

export type TestAccount = { accountId: number; memberId: number; appKey: string };

export type TestApp = {
  app: Api;
  db: Db;
  clock: ManualClock;
  config: Config;
  /** The background engine with every module, not started: tests call `engine.runOnce(t.clock.nowMs())`. */
  engine: Engine;
  /** Outbound webhook delivery, not started: `webhooks.runOnce()` runs one pass at the manual clock's time. */
  webhooks: OutboxWorker<WebhookPassReport>;
  /** Status-page subscriber notifications, not started: one pass at the manual clock's time (e-mail to SMTP_URL of `env`). */
  statusPages: { runOnce(): Promise<NotificationPassReport> };
  /** POSTs JSON to an Open API path with the app_key in the query, as Flashduty clients do. */
  post<T = any>(path: string, body: unknown, appKey: string | undefined): Promise<ApiResponse<T>>;
  /** GETs an Open API path with the query (arrays repeat their key) and the app_key, as Flashduty's GET reads take it. */
  get<T = any>(
    path: string,
    query: Record<string, unknown>,
    appKey: string | undefined,
  ): Promise<ApiResponse<T>>;
  /** Creates an account with an Owner member and returns its app key. */
  newAccount(name?: string): Promise<TestAccount>;
  /** Invites a member with these roles into the account and returns the member's own app key. */
  newMember(account: TestAccount, roleIds: number[], name?: string): Promise<TestAccount>;
  database: TestDatabase;
  /** Resolves once every pushed event is applied (docs/ingest.md, "Read after write"). */
  waitForApplied(): Promise<void>;
  close(): Promise<void>;
};

/**
 * Waits until the ingest log is empty: every event accepted so far, by any instance on the
 * database, is applied and committed (an entry is deleted in the transaction that applies it).
 */
async function waitForApplied(db: Db, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.q
      .selectFrom('ingest_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    if (Number(row.n) === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${row.n} ingested events still unapplied after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let accountCounter = 0;

/**
 * OUTBOUND_ALLOW for suites whose webhook, subscriber and bot receivers listen on 127.0.0.1: Vigil
 * refuses loopback by default, so each such suite allows it explicitly.
 */
export const ALLOW_LOOPBACK = { OUTBOUND_ALLOW: '127.0.0.1/32' } as const;

/** Starts Vigil in-process on a fresh database with a manual clock (2026-01-05T09:00:00Z). */
export type TestAppOptions = {
  /** Environment overrides for loadConfig. */
  env?: Record<string, string>;
  /** Extra setup before the app is ready, e.g. a Redis client or a route only a test needs. */
  redis?: Redis;
  extend?: (app: Api) => void;
  /** Share another test app's database (two instances on one database). */
  database?: TestDatabase;
  /** The webhook call timeout (default: production's 5 s). */
  webhookTimeoutMs?: number;
};

export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database: TestDatabase = options.database ?? (await createTestDatabase());
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  // Rate limits are off unless a test turns them on, so suites do not trip over them.
  const config = loadConfig({
    RATE_LIMIT_ACCOUNT_PER_SECOND: '0',
    RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
    ...options.env,
  });
  const app = await buildApp({ config, db: database.db, clock, redis: options.redis, logger: false });
  options.extend?.(app);
  await app.ready();

  const post = async <T>(
    path: string,
    body: unknown,
    appKey: string | undefined,
  ): Promise<ApiResponse<T>> => {
    const raw = await app.inject({
      method: 'POST',
      url: appKey === undefined ? path : `${path}?app_key=${encodeURIComponent(appKey)}`,
      ...(body === undefined
        ? {}
        : { payload: body as object, headers: { 'content-type': 'application/json' } }),
    });
    return { status: raw.statusCode, headers: raw.headers, body: raw.json(), raw };
  };

  const email = new EmailProvider({ smtpUrl: config.smtpUrl, from: config.smtpFrom, timeoutMs: 5_000 });

  const get = async <T>(
    path: string,
    query: Record<string, unknown>,
    appKey: string | undefined,
  ): Promise<ApiResponse<T>> => {
    const params = new URLSearchParams();
    if (appKey !== undefined) params.append('app_key', appKey);
    for (const [key, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
    }
    const raw = await app.inject({ method: 'GET', url: `${path}?${params}` });
    return { status: raw.statusCode, headers: raw.headers, body: raw.json(), raw };
  };

  return {
    app,
    db: database.db,
    clock,
    config,
    engine: new Engine({
      db: database.db,
      clock,
      modules: engineModules,
      logger: app.log,
      capabilities: { email: config.smtpUrl !== undefined, phone: config.phoneProviderUrl !== undefined },
      auditRetentionDays: config.auditRetentionDays,
      statuspage: { apiUrl: config.statuspageApiUrl, outboundAllow: config.outboundAllow },
    }),
    webhooks: createWebhookWorker({
      db: database.db,
      clock,
      publicUrl: config.publicUrl,
      logger: app.log,
      outboundAllow: config.outboundAllow,
      ...(options.webhookTimeoutMs ? { timeoutMs: options.webhookTimeoutMs } : {}),
    }),
    statusPages: createStatusPageWorker({
      db: database.db,
      clock,
      publicUrl: config.publicUrl,
      email,
      logger: app.log,
      outboundAllow: config.outboundAllow,
      ...(options.webhookTimeoutMs ? { webhookTimeoutMs: options.webhookTimeoutMs } : {}),
    }),
    post,
    get,
    async newAccount(name) {
      accountCounter += 1;
      const created = await createAccount(
        { db: database.db, clock },
        {
          name: name ?? `Account ${accountCounter}`,
          email: `owner${accountCounter}@example.com`,
          memberName: `owner${accountCounter}`,
        },
      );
      return { accountId: created.account_id, memberId: created.member_id, appKey: created.app_key };
    },
    async newMember(account, roleIds, name) {
      accountCounter += 1;
      const member_name = name ?? `Member ${accountCounter}`;
      const invited = await post<any>(
        '/member/invite',
        { members: [{ member_name, email: `m${accountCounter}@example.com`, role_ids: roleIds }] },
        account.appKey,
      );
      const memberId = invited.body.data.items[0].member_id as number;
      const key = await post<any>(
        '/person/app-key/create',
        { key_name: 'test', person_id: memberId },
        account.appKey,
      );
      return { accountId: account.accountId, memberId, appKey: key.body.data.key as string };
    },
    database,
    waitForApplied: () => waitForApplied(database.db),
    async close() {
      email.close();
      await app.close();
      if (!options.database) await database.drop();
    },
  };
}
