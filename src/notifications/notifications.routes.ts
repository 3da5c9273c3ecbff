import type { AppDeps } from '../http/app.ts';
import { type Api, Empty, openApi } from '../http/route.ts';
import { invalidParameter, notFound } from '../shared/app-error.ts';
import { attemptsOf } from './delivery-attempts.ts';
import * as N from './notifications.schemas.ts';
import { preferenceInfo, preferencePerson, resolvePeople, updatePreference } from './preferences.service.ts';
import { loadIncidentInfo } from './render.ts';
import { sampleIncident, TEMPLATE_FIELDS, templateData } from './template-data.ts';
import { renderTemplate, TemplateError } from './template-engine.ts';
import * as S from './templates.schemas.ts';
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  templateInfo,
  updateTemplate,
} from './templates.service.ts';

/*
 * Notification templates (on-call.openapi.en.json, tag "Notification templates"; /template/preview
 * from the legacy spec), personal preferences (legacy /preference/*), and Vigil's own
 * /incident/notification/list (the delivery log) and /notification/reachability.
 * docs/notifications.md.
 */
export function registerNotificationRoutes(app: Api, deps: AppDeps): void {
  const { db, clock } = deps;
  const Read = { tag: 'Notification templates', permission: 'templates.read' } as const;
  const Manage = { tag: 'Notification templates', permission: 'templates.manage' } as const;

  openApi(
    app,
    '/template/create',
    {
      ...Manage,
      summary: 'Create a notification template',
      input: S.TemplateCreateRequest,
      data: S.TemplateCreated,
    },
    ({ actor, input }) => createTemplate(deps, actor, input),
  );
  openApi(
    app,
    '/template/update',
    { ...Manage, summary: 'Update a notification template', input: S.TemplateUpdateRequest, data: Empty },
    async ({ actor, input }) => {
      await updateTemplate(deps, actor, input);
      return {};
    },
  );
  openApi(
    app,
    '/template/delete',
    { ...Manage, summary: 'Delete a notification template', input: S.TemplateIdRequest, data: Empty },
    async ({ actor, input }) => {
      await deleteTemplate(deps, actor, input.template_id);
      return {};
    },
  );
  openApi(
    app,
    '/template/info',
    { ...Read, summary: 'Get a notification template', input: S.TemplateInfoRequest, data: S.TemplateInfo },
    ({ actor, input }) => {
      const id = input.template_id ?? input.id;
      if (id === undefined) throw invalidParameter('template_id', 'it is required');
      return templateInfo(deps, actor, id);
    },
  );
  openApi(
    app,
    '/template/list',
    // Templates Read or Manage: Manage implies Read in every built-in role.
    {
      ...Read,
      summary: 'List notification templates',
      input: S.TemplateListRequest,
      data: S.TemplateListResponse,
    },
    ({ actor, input }) => listTemplates(deps, actor, input),
  );
  openApi(
    app,
    '/template/preview',
    {
      ...Read,
      summary: 'Render a template body against an incident',
      input: S.PreviewRequest,
      data: S.PreviewResponse,
    },
    async ({ actor, input }) => {
      const now = Math.floor(clock.nowMs() / 1000);
      let incident = sampleIncident(deps.config.publicUrl, now);
      if (input.incident_id) {
        if (!/^[0-9a-fA-F]{24}$/.test(input.incident_id)) {
          throw invalidParameter('incident_id', 'must match pattern "^[0-9a-fA-F]{24}$"');
        }
        const found = await loadIncidentInfo(db.q, actor.accountId, input.incident_id, deps.config.publicUrl);
        if (!found) throw notFound(`incident ${input.incident_id}`);
        incident = found;
      }
      try {
        const content = renderTemplate(input.content, templateData(incident, { now }), {
          fields: TEMPLATE_FIELDS,
        });
        return { content, success: true, message: '' };
      } catch (error) {
        if (error instanceof TemplateError) return { content: '', success: false, message: error.message };
        throw error;
      }
    },
  );

  const Personal = { tag: 'Preferences', permission: null } as const;
  openApi(
    app,
    '/preference/info',
    {
      ...Personal,
      summary: 'Get your notification preferences (or, with Members Manage, a member’s)',
      input: N.PreferenceInfoRequest,
      data: N.Preference,
    },
    async ({ actor, input }) =>
      preferenceInfo(db.q, actor.accountId, await preferencePerson(db, actor, input.person_id)),
  );
  openApi(
    app,
    '/preference/update',
    {
      ...Personal,
      summary: 'Change your notification preferences',
      input: N.PreferenceUpdateRequest,
      data: Empty,
    },
    async ({ actor, input }) => {
      const personId = await preferencePerson(db, actor, input.person_id);
      await updatePreference(db.q, actor.accountId, personId, input, Math.floor(clock.nowMs() / 1000));
      return {};
    },
  );

  openApi(
    app,
    '/notification/reachability',
    {
      tag: 'Notifications',
      permission: null,
      summary: 'How members would be notified of an incident of a severity, and who cannot be reached',
      input: N.ReachabilityRequest,
      data: N.ReachabilityResponse,
    },
    async ({ actor, input }) => {
      const resolved = await resolvePeople(
        db.q,
        actor.accountId,
        input.person_ids,
        input.incident_severity,
        input.by,
        {
          email: deps.config.smtpUrl !== undefined,
          phone: deps.config.phoneProviderUrl !== undefined,
        },
      );
      return {
        items: resolved.map((r) => ({
          person_id: r.personId,
          channels: r.channels.map((c) => c.channel),
          skipped: r.skipped,
          unreachable: r.unreachable,
        })),
      };
    },
  );

  openApi(
    app,
    '/incident/notification/list',
    {
      tag: 'Notifications',
      permission: 'incidents.read',
      summary: "An incident's notifications and how their delivery went",
      input: N.DeliveryLogRequest,
      data: N.DeliveryLogResponse,
    },
    async ({ actor, input }) => {
      const incidentId = input.incident_id.toLowerCase();
      const incident = await db.q
        .selectFrom('incidents')
        .select('incident_id')
        .where('account_id', '=', actor.accountId)
        .where('incident_id', '=', incidentId)
        .executeTakeFirst();
      if (!incident) throw notFound(`incident ${input.incident_id}`);
      const rows = await db.q
        .selectFrom('notification_deliveries')
        .selectAll()
        .where('account_id', '=', actor.accountId)
        .where('incident_id', '=', incidentId)
        .orderBy('notification_id')
        .limit(1000)
        .execute();
      const attempts = await attemptsOf(
        db.q,
        actor.accountId,
        'notification_deliveries',
        rows.map((r) => r.notification_id),
      );
      return {
        items: rows.map((r) => ({
          notification_id: r.notification_id,
          incident_id: r.incident_id,
          step: r.step,
          recipient: r.recipient,
          channel: r.channel,
          person_id: r.person_id,
          template_id: r.template_id,
          status: r.status,
          attempt: r.attempt,
          // While pending, when the next attempt is due (ms); 0 once none will be made.
          next_attempt_at: r.status === 'pending' ? r.next_attempt_at : 0,
          attempted_at: r.attempted_at,
          error_kind: r.error_kind,
          error_message: r.error_message,
          status_code: r.status_code,
          duration: r.duration,
          created_at: r.created_at,
          attempts: attempts.get(r.notification_id) ?? [],
        })),
      };
    },
  );
}
