import type { TSchema } from 'typebox';
import type { AppDeps } from '../../http/app.ts';
import { type Api, type Call, Empty, openApi } from '../../http/route.ts';
import { acknowledgeIncidents, unacknowledgeIncidents } from './acknowledge.ts';
import * as S from './actions.schemas.ts';
import { addResponders, assignIncidents } from './assign.ts';
import { commentIncidents } from './comment.ts';
import { createIncident } from './create.ts';
import { mergeAlerts, mergeIncidents } from './merge.ts';
import { disableIncidentMerge, removeIncidents } from './remove.ts';
import { resetIncident, resetIncidentField } from './reset.ts';
import { reopenIncidents, resolveIncidents } from './resolve.ts';
import { snoozeIncidents, wakeIncidents } from './snooze.ts';

/**
 * Incident lifecycle actions (on-call.openapi.en.json, tags "Incidents" and "Alerts"): the caller
 * (the member behind the app_key) acts; every action is one transaction scoped to their account.
 * Rules and decisions: docs/incidents.md, "Lifecycle actions".
 */
export function registerIncidentActionRoutes(app: Api, deps: AppDeps): void {
  /** An action answering `{}`; needs Incidents Manage. */
  const action = <B extends TSchema>(
    url: string,
    summary: string,
    input: B,
    run: (call: Call<B>) => Promise<void>,
    tag = 'Incidents',
  ) =>
    openApi(app, url, { tag, summary, permission: 'incidents.manage', input, data: Empty }, async (call) => {
      await run(call);
      return {};
    });
  type Ids = Call<typeof S.IncidentIdsRequest>;
  const ids = (call: Ids) => call.input.incident_ids;

  openApi(
    app,
    '/incident/create',
    {
      tag: 'Incidents',
      summary: 'Create an incident by hand',
      permission: 'incidents.manage',
      input: S.CreateRequest,
      data: S.CreateResponse,
    },
    async ({ actor, input }) => createIncident(deps, actor, input),
  );
  action('/incident/ack', 'Acknowledge incidents', S.IncidentIdsRequest, (call) =>
    acknowledgeIncidents(deps, call.actor, ids(call)),
  );
  action('/incident/unack', 'Withdraw acknowledgements', S.IncidentIdsRequest, (call) =>
    unacknowledgeIncidents(deps, call.actor, ids(call)),
  );
  action('/incident/resolve', 'Close incidents', S.ResolveRequest, ({ actor, input }) =>
    resolveIncidents(deps, actor, input),
  );
  action('/incident/reopen', 'Reopen closed incidents', S.ReopenRequest, ({ actor, input }) =>
    reopenIncidents(deps, actor, input),
  );
  action('/incident/snooze', 'Snooze incidents', S.SnoozeRequest, ({ actor, input }) =>
    snoozeIncidents(deps, actor, input),
  );
  action('/incident/wake', 'Cancel snoozes', S.IncidentIdsRequest, (call) =>
    wakeIncidents(deps, call.actor, ids(call)),
  );
  action('/incident/assign', 'Reassign or escalate incidents', S.AssignRequest, ({ actor, input }) =>
    assignIncidents(deps, actor, input),
  );
  action('/incident/responder/add', 'Add responders', S.ResponderAddRequest, ({ actor, input }) =>
    addResponders(deps, actor, input),
  );
  action('/incident/comment', 'Comment on incidents', S.CommentRequest, ({ actor, input }) =>
    commentIncidents(deps, actor, input),
  );
  action('/incident/reset', 'Edit incident fields', S.ResetRequest, ({ actor, input }) =>
    resetIncident(deps, actor, input),
  );
  action('/incident/field/reset', 'Set a custom field', S.FieldResetRequest, ({ actor, input }) =>
    resetIncidentField(deps, actor, input),
  );
  action('/incident/merge', 'Merge incidents into one', S.MergeRequest, ({ actor, input }) =>
    mergeIncidents(deps, actor, input),
  );
  action('/incident/disable-merge', 'Stop incidents taking alerts', S.IncidentIdsRequest, (call) =>
    disableIncidentMerge(deps, call.actor, ids(call)),
  );
  action('/incident/remove', 'Delete incidents', S.IncidentIdsRequest, (call) =>
    removeIncidents(deps, call.actor, ids(call)),
  );
  // The spec names Channels Read for this write; Vigil asks Incidents Manage (docs/incidents.md).
  action(
    '/alert/merge',
    'Move alerts into an incident',
    S.AlertMergeRequest,
    ({ actor, input }) => mergeAlerts(deps, actor, input),
    'Alerts',
  );
}
