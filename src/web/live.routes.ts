import { permissionsOf } from '../accounts/permissions.ts';
import type { AppDeps } from '../http/app.ts';
import type { Api } from '../http/route.ts';
import { AppError } from '../shared/app-error.ts';
import { findConsoleSession, sessionDigest } from './console.service.ts';
import { readCookie, SESSION_COOKIE } from './cookies.ts';
import { LiveHub, type LiveStream, sseEvent } from './live-hub.ts';

/**
 * `GET /console/events`: a text/event-stream telling the console which incidents of the member's
 * account changed (`event: incidents`, `data: {"incident_ids": [...]}`), so open pages reload
 * them. Authenticated by the session cookie alone: it is a GET that only reads, and it carries
 * nothing but incident ids the member may read (Incidents Read). docs/console.md, "Live updates".
 */
export function registerLiveRoutes(app: Api, deps: AppDeps): LiveHub {
  const hub = new LiveHub(
    { db: deps.db, clock: deps.clock, logger: app.log },
    { heartbeatMs: deps.config.consoleHeartbeatSeconds * 1000 },
  );
  app.addHook('preClose', async () => hub.close());

  app.get(
    '/console/events',
    {
      schema: {
        tags: ['Console'],
        summary: "Server-sent events: which incidents of the session's account changed",
        security: [],
      },
    },
    async (request, reply) => {
      const token = readCookie(request.headers.cookie, SESSION_COOKIE);
      const session = token === undefined ? undefined : await findConsoleSession(deps, token);
      if (!token || !session)
        throw new AppError('Unauthorized', 'You are unauthorized: sign in to the console.');
      if (!permissionsOf(session.roleIds, session.customPermissionIds).has('incidents.read'))
        throw new AppError(
          'AccessDenied',
          'Access Denied: this operation needs the Incidents Read permission.',
        );
      const sessionHash = sessionDigest(token);
      if (hub.streamsOf(sessionHash) >= hub.maxStreamsPerSession) {
        throw new AppError(
          'RequestTooFrequently',
          `At most ${hub.maxStreamsPerSession} live-update streams per session are open: the console polls in further tabs.`,
        );
      }

      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        // nginx: pass events on at once instead of buffering them.
        'x-accel-buffering': 'no',
        'flashcat-request-id': request.id,
      });
      const stream: LiveStream = {
        accountId: session.accountId,
        sessionHash,
        write: (chunk) => {
          if (!raw.writableEnded) raw.write(chunk);
        },
        end: () => {
          if (!raw.writableEnded) raw.end();
        },
      };
      // How long a browser waits before reconnecting, then a first event so it knows it is live.
      raw.write(`retry: 3000\n\n${sseEvent('ready', { account_id: session.accountId })}`);
      request.raw.socket.setTimeout(0);
      raw.on('close', () => hub.remove(stream));
      hub.add(stream);
    },
  );
  return hub;
}
