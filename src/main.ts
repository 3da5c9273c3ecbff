import { unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { setTimeout } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { type Command, runCommand } from './commands.ts';
import type { Config } from './config/config.ts';
import { controlSocketPath, lockDataDir } from './db/data-dir-lock.ts';
import { type Db, databaseTimeouts, openDb } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { waitForDatabase } from './db/wait.ts';
import { buildApp } from './http/app.ts';
import { Lifecycle } from './http/health.ts';
import { metricsRegistry } from './http/metrics.ts';
import { openRedis } from './http/redis.ts';
import type { Api } from './http/route.ts';
import { Engine } from './jobs/engine.ts';
import { engineMetrics } from './jobs/metrics.ts';
import { engineModules } from './jobs/modules.ts';
import { notificationDeliveryMetrics } from './notifications/metrics.ts';
import {
  createNotificationWorker,
  createProviders,
  NOTIFICATION_POLL_MS,
} from './notifications/notifications.delivery.ts';
import { deliveryCapabilities } from './notifications/preferences.ts';
import { EmailProvider } from './notifications/providers/email.ts';
import { systemClock } from './shared/clock.ts';
import { createStatusPageWorker, STATUS_PAGE_POLL_MS } from './status-pages/delivery.ts';
import { createWebhookWorker, WEBHOOK_POLL_MS } from './webhooks/webhooks.delivery.ts';

/*
 * The composition root: config → database handle → HTTP (listening, alive, not ready) → the
 * database answering (db/wait.ts) → migrations → ready → background engine, webhook and
 * notification delivery, and status-page subscriber notifications. No logic lives here.
 *
 * On PGlite the server owns the data directory (a lock file), and listens on a Unix control socket
 * beside it so `vigil` CLI commands can run through this process instead of opening the directory
 * a second time, which would corrupt it.
 */

export type RunningServer = {
  app: Api;
  url: string;
  /** Stops at once: requests in flight finish, background loops hand back what they had not begun. */
  close(): Promise<void>;
  /**
   * A graceful stop (SIGTERM): /healthz and /readyz answer `draining` while the process serves on
   * for SHUTDOWN_DRAIN_SECONDS, so a balancer stops sending without a failed request; then close(),
   * bounded by SHUTDOWN_TIMEOUT_SECONDS. Without `drain`, close() at once with the same bound.
   * Resolves false when the bound ran out first.
   */
  shutdown(options: { drain: boolean }): Promise<boolean>;
};

export async function startServer(config: Config): Promise<RunningServer> {
  let releaseLock = () => {};
  if (!config.databaseUrl) {
    const socket = controlSocketPath(config.dataDir);
    const lock = lockDataDir(config.dataDir, { role: 'server', socket });
    if (!lock.acquired) {
      throw new Error(
        `Another Vigil process (pid ${lock.holder.pid}, ${lock.holder.role}) is using ${config.dataDir}. ` +
          'PGlite serves one process: stop that process, choose another DATA_DIR, or set DATABASE_URL to run several instances on PostgreSQL.',
      );
    }
    releaseLock = lock.release;
  }
  const logger = pino({ level: config.logLevel });
  let db: Db | undefined;
  let redis: Redis | undefined;
  let app: Api | undefined;
  let control: Server | undefined;
  try {
    db = await openDb(
      config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir },
      {
        timeouts: databaseTimeouts(config),
        logger,
      },
    );
    redis = config.redisUrl
      ? openRedis(config.redisUrl, { commandTimeoutMs: config.redisCommandTimeoutMs, logger })
      : undefined;
    const startup = new Lifecycle('waiting for the database');
    app = await buildApp({ config, db, clock: systemClock, redis, logger, startup });
    const url = await app.listen({ port: config.port, host: config.host });
    logger.info({ url }, 'HTTP listening; ready once the database answers and is migrated');
    await waitForDatabase(db, {
      timeoutMs: config.databaseStartupTimeoutSeconds * 1000,
      pingTimeoutMs: config.databaseConnectTimeoutSeconds * 1000,
      logger,
    });
    startup.step = 'migrating';
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    startup.finish();
    if (!config.databaseUrl)
      control = await listenForCommands(controlSocketPath(config.dataDir), { db, config });
    const registry = metricsRegistry(app);
    const engine = new Engine({
      db,
      clock: systemClock,
      modules: engineModules,
      logger: app.log,
      capabilities: deliveryCapabilities(config),
      onCycle: engineMetrics(registry),
      auditRetentionDays: config.auditRetentionDays,
      statuspage: { apiUrl: config.statuspageApiUrl, outboundAllow: config.outboundAllow },
    });
    engine.start(config.engineIntervalSeconds * 1000);
    const webhooks = createWebhookWorker({
      db,
      clock: systemClock,
      publicUrl: config.publicUrl,
      logger: app.log,
      outboundAllow: config.outboundAllow,
    });
    webhooks.start(WEBHOOK_POLL_MS);
    const providers = createProviders(config, systemClock);
    const notifications = createNotificationWorker({
      db,
      clock: systemClock,
      publicUrl: config.publicUrl,
      providers,
      logger: app.log,
      onAttempt: notificationDeliveryMetrics(registry),
    });
    notifications.start(NOTIFICATION_POLL_MS);
    const email = new EmailProvider({ smtpUrl: config.smtpUrl, from: config.smtpFrom, timeoutMs: 10_000 });
    const subscribers = createStatusPageWorker({
      db,
      clock: systemClock,
      publicUrl: config.publicUrl,
      email,
      logger: app.log,
      outboundAllow: config.outboundAllow,
    });
    subscribers.start(STATUS_PAGE_POLL_MS);
    app.log.info({ url, database: db.kind }, 'Vigil is listening');
    const openApp = app;
    const openDb_ = db;
    const openRedisClient = redis;
    const openControl = control;
    const close = async () => {
      // In parallel: HTTP finishes the requests in flight while the loops finish their cycle or pass.
      await Promise.all([
        openApp.close(),
        engine.stop(),
        webhooks.stop(),
        notifications.stop(),
        subscribers.stop(),
        new Promise<void>((resolve) => (openControl ? openControl.close(() => resolve()) : resolve())),
      ]);
      providers.close();
      email.close();
      await openDb_.close();
      openRedisClient?.disconnect();
      releaseLock();
    };
    return {
      app: openApp,
      url,
      close,
      async shutdown({ drain }) {
        startup.drain();
        if (drain) {
          openApp.log.info(
            { drain_seconds: config.shutdownDrainSeconds },
            'draining: /healthz answers 503 while requests are still served',
          );
          await setTimeout(config.shutdownDrainSeconds * 1000);
        }
        const bound = setTimeout(config.shutdownTimeoutSeconds * 1000, false, { ref: false });
        const closed = await Promise.race([close().then(() => true), bound]);
        if (closed) openApp.log.info('stopped: requests and deliveries in flight finished');
        else
          openApp.log.error(
            { timeout_seconds: config.shutdownTimeoutSeconds },
            'stopping anyway: work in flight did not finish in time (its leases run out; another instance takes it)',
          );
        return closed;
      },
    };
  } catch (error) {
    control?.close();
    await app?.close();
    await db?.close();
    redis?.disconnect();
    releaseLock();
    throw error;
  }
}

/** Serves CLI commands on a Unix socket that only this machine's users with access to DATA_DIR can reach. */
async function listenForCommands(socketPath: string, deps: { db: Db; config: Config }): Promise<Server> {
  try {
    unlinkSync(socketPath); // left behind by a process that died; we hold the lock, so it is ours to replace
  } catch {}
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    try {
      const command = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Command;
      reply(200, { result: await runCommand({ ...deps, clock: systemClock }, command) });
    } catch (error) {
      // PGlite's file-system errors are not Errors: say what there is rather than nothing.
      reply(400, { error: error instanceof Error ? error.message : JSON.stringify(error) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  return server;
}
