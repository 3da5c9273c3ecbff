import pg from 'pg';
import type { DbLogger } from './db.ts';

/*
 * LISTEN on PostgreSQL through a connection of its own, kept open across server restarts: what lets
 * every instance hear that another one changed something it keeps in memory (docs/engine.md,
 * "Caches across instances"). A notification arrives only after its transaction commits.
 */

export type ListenHandlers = {
  /** The payload of a NOTIFY on the channel, from any instance (this one included). */
  message(payload: string): void;
  /**
   * Whether notifications are being heard. False while the connection is down or reconnecting:
   * anything sent meanwhile is lost, so whoever caches must not trust what it kept.
   */
  listening(now: boolean): void;
};

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/** Listens until the returned function is called; reconnects with back-off, telling `listening`. */
export function listenPostgres(
  connectionString: string,
  channel: string,
  handlers: ListenHandlers,
  options: { connectMs: number; describe: string; logger: DbLogger },
): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retryMs = RETRY_FIRST_MS;
  let timer: NodeJS.Timeout | undefined;
  let wasLost = false;

  const lost = (current: pg.Client, error?: Error) => {
    if (client !== current) return;
    client = undefined;
    current.end().catch(() => {});
    handlers.listening(false);
    if (stopped) return;
    if (!wasLost) {
      options.logger.warn(
        { database: options.describe, channel, reason: error?.message ?? 'connection ended' },
        'stopped hearing other instances: caches are bypassed until the connection is back',
      );
    }
    wasLost = true;
    timer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  };

  async function connect(): Promise<void> {
    timer = undefined;
    if (stopped) return;
    const current = new pg.Client({
      connectionString,
      connectionTimeoutMillis: options.connectMs,
      keepAlive: true,
    });
    client = current;
    current.on('error', (error) => lost(current, error));
    current.on('end', () => lost(current));
    current.on('notification', (n) => {
      if (n.channel === channel) handlers.message(n.payload ?? '');
    });
    try {
      await current.connect();
      await current.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      lost(current, error as Error);
      return;
    }
    if (client !== current) return;
    retryMs = RETRY_FIRST_MS;
    if (wasLost)
      options.logger.info({ database: options.describe, channel }, 'hearing other instances again');
    wasLost = false;
    handlers.listening(true);
  }

  void connect();
  return async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    const current = client;
    client = undefined;
    await current?.end().catch(() => {});
  };
}
