import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyServerOptions, LogController } from 'fastify';
import type { Redis } from 'ioredis';
import Type from 'typebox';
import { registerAccountRoutes } from '../accounts/accounts.routes.ts';
import { AuthCache } from '../accounts/auth-cache.ts';
import { registerAlertRoutes } from '../alerts/alerts.routes.ts';
import { registerAuditRoutes } from '../audit/audit.routes.ts';
import { insertAuditEntry } from '../audit/audit.store.ts';
import { registerChangeRoutes } from '../changes/changes.routes.ts';
import { registerChannelRoutes } from '../channels/channels.routes.ts';
import { registerNotifyRuleRoutes } from '../channels/notify/notify-rules.routes.ts';
import { registerChannelRuleRoutes } from '../channels/rules/rules.routes.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/db.ts';
import { registerEscalationRoutes } from '../escalation/escalation.routes.ts';
import { registerImportRoutes } from '../import/import.routes.ts';
import { registerIncidentActionRoutes } from '../incidents/actions/actions.routes.ts';
import { registerCustomActionRoutes } from '../incidents/custom-actions/custom-actions.routes.ts';
import { registerFieldRoutes } from '../incidents/fields/fields.routes.ts';
import { registerIncidentRoutes } from '../incidents/incidents.routes.ts';
import { registerPastIncidentRoutes } from '../incidents/past/past.routes.ts';
import { registerPostMortemRoutes } from '../incidents/post-mortems/post-mortems.routes.ts';
import { registerWarRoomRoutes } from '../incidents/war-rooms/war-rooms.routes.ts';
import { registerIngestRoutes } from '../ingest/ingest.routes.ts';
import { registerInsightRoutes } from '../insights/insights.routes.ts';
import { registerReportRoutes } from '../insights/reports.routes.ts';
import { registerIntegrationRoutes } from '../integrations/integrations.routes.ts';
import { registerMcpRoutes } from '../mcp/http.ts';
import { notificationOutboxMetrics } from '../notifications/metrics.ts';
import { registerNotificationRoutes } from '../notifications/notifications.routes.ts';
import { registerProcessingRoutes } from '../processing/processing.routes.ts';
import { registerCalendarRoutes } from '../schedules/calendars.routes.ts';
import { registerFeedRoutes } from '../schedules/feeds.routes.ts';
import { registerScheduleRoutes } from '../schedules/schedules.routes.ts';
import { AppError, notFound } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { newUlid } from '../shared/ids.ts';
import { registerStatuspageMigrationRoutes } from '../status-pages/migration/migration.routes.ts';
import { registerPublicStatusRoutes } from '../status-pages/public.routes.ts';
import { registerStatusPageRoutes } from '../status-pages/status-pages.routes.ts';
import { consoleSessionAuth } from '../web/session-auth.ts';
import { registerWebRoutes } from '../web/web.routes.ts';
import { registerWebhookRoutes } from '../webhooks/webhooks.routes.ts';
import { appKeyHook } from './auth.ts';
import { clientErrorHandler, errorHandler, sendError } from './errors.ts';
import { Lifecycle, registerHealthRoutes, startupGate } from './health.ts';
import { checkInputValue } from './input-check.ts';
import { registerMetrics } from './metrics.ts';
import { RateLimit } from './rate-limit.ts';
import type { Api, AuditSink } from './route.ts';
import { validatorCompiler } from './validation.ts';

/** What the HTTP layer needs from the composition root. Domains receive the parts they use. */
export type AppDeps = {
  config: Config;
  db: Db;
  clock: Clock;
  redis?: Redis | undefined;
  /** Logger options, or the process's logger (vigil serve shares one with the database layer). */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger;
  /** Startup (absent: finished) and draining, for the health routes and the startup gate. */
  startup?: Lifecycle;
};

const isLoggerInstance = (logger: AppDeps['logger']): logger is FastifyBaseLogger =>
  typeof logger === 'object' && typeof (logger as FastifyBaseLogger).child === 'function';

/** Largest request body accepted (Flashduty does not publish its limit). */
const BODY_LIMIT_BYTES = 1024 * 1024;

export async function buildApp(deps: AppDeps): Promise<Api> {
  const app = Fastify({
    ...(isLoggerInstance(deps.logger)
      ? { loggerInstance: deps.logger }
      : { logger: deps.logger ?? { level: deps.config.logLevel } }),
    // Per-request logs would dominate at ingest rates; errors are logged where they are handled.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: () => newUlid(),
    routerOptions: { ignoreTrailingSlash: true },
    // What Node or the router refuses before a route runs answers in the envelope too.
    clientErrorHandler,
    frameworkErrors: errorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.decorateRequest('actor', undefined);
  app.decorate('audit', {
    clock: deps.clock,
    operations: [],
    record: (entry) => insertAuditEntry(deps.db, entry),
  } satisfies AuditSink);

  // Flashduty clients send JSON only; an empty JSON body means "no parameters".
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).trim() === '') done(null, {});
    else parseJson(request, body as string, done);
  });
  // SNS posts its JSON as text/plain (docs/sources.md): only routes that opt in take a text body.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (request, body, done) => {
    if ((request.routeOptions.config as { textBody?: boolean } | undefined)?.textBody) done(null, body);
    else done(new AppError('InvalidContentType', 'The Content-Type must be application/json.'), undefined);
  });
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body == null) request.body = {};
    checkInputValue(request.params, 'path');
    checkInputValue(request.query, 'query');
    checkInputValue(request.body, 'request body');
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Flashcat-Request-Id', request.id);
  });
  const startup = deps.startup ?? finished();
  app.addHook('onRequest', startupGate(startup));
  const accountLimit = new RateLimit(
    'account',
    [
      { points: deps.config.rateLimitAccountPerSecond, seconds: 1 },
      { points: deps.config.rateLimitAccountPerMinute, seconds: 60 },
    ],
    deps.redis,
  );
  const authCache = await AuthCache.open(deps.db);
  app.addHook('onClose', () => authCache.close());
  app.addHook('onRequest', appKeyHook(authCache, accountLimit, consoleSessionAuth(deps)));

  // A known path with the wrong method is MethodNotAllowed; anything else RouteNotFound.
  const knownPaths = new Set<string>();
  // The body schema of each route, which the console checks its forms against (field-hints.ts).
  const bodySchemas = new Map<string, unknown>();
  app.addHook('onRoute', (route) => {
    knownPaths.add(route.url);
    if (route.schema?.body) bodySchemas.set(route.url, route.schema.body);
  });
  app.setNotFoundHandler((request, reply) => {
    // A browser asking for a console page (/incident/detail/<id>) gets the console.
    if (web.fallback(request, reply, knownPaths)) return reply;
    const path = request.url.split('?')[0]!.replace(/\/+$/, '') || '/';
    return knownPaths.has(path)
      ? sendError(
          request,
          reply,
          new AppError('MethodNotAllowed', `The method ${request.method} is not allowed for ${path}.`),
        )
      : sendError(
          request,
          reply,
          new AppError('RouteNotFound', `The route ${request.method} ${path} is not found.`),
        );
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Vigil Open API',
        version: '0.1.0',
        description:
          "Vigil speaks Flashduty's Open API. Authenticate with the `app_key` query parameter; every response is `{request_id, data}` or `{request_id, error}`.",
      },
      components: { securitySchemes: { app_key: { type: 'apiKey', in: 'query', name: 'app_key' } } },
      security: [{ app_key: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/console/input-schema',
    { schema: { hide: true, querystring: Type.Object({ path: Type.String({ maxLength: 200 }) }) } },
    async (request) => {
      const { path } = request.query as { path: string };
      const schema = bodySchemas.get(path);
      if (!schema) throw notFound(`the operation ${path}`);
      return { request_id: request.id, data: { schema } };
    },
  );
  registerHealthRoutes(app, { db: deps.db, redis: deps.redis, startup });
  const metrics = registerMetrics(app, deps.db);
  registerAccountRoutes(app, deps, authCache);
  registerAuditRoutes(app, deps);
  registerIntegrationRoutes(app, deps);
  registerIngestRoutes(app, deps, metrics);
  registerProcessingRoutes(app, deps);
  registerChannelRoutes(app, deps);
  registerChannelRuleRoutes(app, deps);
  registerEscalationRoutes(app, deps);
  registerNotifyRuleRoutes(app, deps);
  registerIncidentRoutes(app, deps);
  registerAlertRoutes(app, deps);
  registerIncidentActionRoutes(app, deps);
  registerFieldRoutes(app, deps);
  registerPastIncidentRoutes(app, deps);
  registerPostMortemRoutes(app, deps);
  registerCustomActionRoutes(app, deps);
  registerWarRoomRoutes(app, deps);
  registerWebhookRoutes(app, deps);
  registerNotificationRoutes(app, deps);
  notificationOutboxMetrics(metrics, deps);
  registerChangeRoutes(app, deps);
  registerInsightRoutes(app, deps);
  registerReportRoutes(app, deps);
  registerStatusPageRoutes(app, deps);
  registerStatuspageMigrationRoutes(app, deps);
  registerPublicStatusRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerCalendarRoutes(app, deps);
  registerFeedRoutes(app, deps);
  registerImportRoutes(app, deps);
  registerMcpRoutes(app, deps);
  // Last: its page answers only what no route above does (see setNotFoundHandler).
  const web = await registerWebRoutes(app, deps);
  return app;
}

function finished(): Lifecycle {
  const startup = new Lifecycle();
  startup.finish();
  return startup;
}
