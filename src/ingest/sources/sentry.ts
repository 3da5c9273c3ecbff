import Type, { type Static } from 'typebox';
import { invalidParameter } from '../../shared/app-error.ts';
import { type AlertEventInput, buildAlertEvent, type EventStatus, type IngestContext } from '../event.ts';
import { isoSeconds } from './common.ts';

/*
 * Sentry's alert webhooks (docs/sources.md "Sentry"), told apart by the Sentry-Hook-Resource header
 * or, without it, by the body:
 * - `event_alert`: an issue alert rule fired (integration platform,
 *   https://docs.sentry.io/organization/integrations/integration-platform/webhooks/issue-alerts/);
 * - `metric_alert`: critical, warning or resolved (…/webhooks/metric-alerts/);
 * - `issue`: an issue changed; only `resolved` makes an event, recovering the issue's alert
 *   (…/webhooks/issues/);
 * - the legacy WebHooks plugin's payload (getsentry/sentry src/sentry/plugins/sentry_webhooks/plugin.py).
 * Only the fields read are declared. Pure.
 */

const Text = Type.String({ maxLength: 65_536 });
const Id = Type.Union([Type.String({ maxLength: 200 }), Type.Integer()]);
const Scalar = Type.Union([Text, Type.Number(), Type.Boolean(), Type.Null()]);
/** Sentry's tags: `[["browser", "Chrome"], ...]` (or `{key, value}` objects in some payloads). */
const Tags = Type.Array(
  Type.Union([Type.Array(Scalar), Type.Object({ key: Type.Optional(Text), value: Type.Optional(Scalar) })]),
  { maxItems: 500 },
);

const SentryEvent = Type.Object({
  issue_id: Type.Optional(Id),
  event_id: Type.Optional(Text),
  title: Type.Optional(Text),
  message: Type.Optional(Type.Union([Text, Type.Null()])),
  culprit: Type.Optional(Type.Union([Text, Type.Null()])),
  level: Type.Optional(Type.Union([Text, Type.Null()])),
  platform: Type.Optional(Type.Union([Text, Type.Null()])),
  project: Type.Optional(Type.Union([Id, Type.Null()])),
  release: Type.Optional(Type.Union([Text, Type.Null()])),
  environment: Type.Optional(Type.Union([Text, Type.Null()])),
  datetime: Type.Optional(Type.Union([Text, Type.Null()])),
  timestamp: Type.Optional(Type.Union([Type.Number(), Text, Type.Null()])),
  web_url: Type.Optional(Type.Union([Text, Type.Null()])),
  issue_url: Type.Optional(Type.Union([Text, Type.Null()])),
  tags: Type.Optional(Type.Union([Tags, Type.Null()])),
});

const SentryIssue = Type.Object({
  id: Type.Optional(Id),
  title: Type.Optional(Text),
  culprit: Type.Optional(Type.Union([Text, Type.Null()])),
  level: Type.Optional(Type.Union([Text, Type.Null()])),
  shortId: Type.Optional(Type.Union([Text, Type.Null()])),
  status: Type.Optional(Type.Union([Text, Type.Null()])),
  web_url: Type.Optional(Type.Union([Text, Type.Null()])),
  project: Type.Optional(
    Type.Union([Type.Object({ slug: Type.Optional(Text), name: Type.Optional(Text) }), Type.Null()]),
  ),
});

const MetricAlert = Type.Object({
  id: Type.Optional(Id),
  identifier: Type.Optional(Type.Union([Id, Type.Null()])),
  title: Type.Optional(Type.Union([Text, Type.Null()])),
  date_started: Type.Optional(Type.Union([Text, Type.Null()])),
  date_detected: Type.Optional(Type.Union([Text, Type.Null()])),
  date_closed: Type.Optional(Type.Union([Text, Type.Null()])),
  projects: Type.Optional(Type.Union([Type.Array(Text, { maxItems: 100 }), Type.Null()])),
  alert_rule: Type.Optional(
    Type.Union([
      Type.Object({
        id: Type.Optional(Type.Union([Id, Type.Null()])),
        name: Type.Optional(Type.Union([Text, Type.Null()])),
        aggregate: Type.Optional(Type.Union([Text, Type.Null()])),
        query: Type.Optional(Type.Union([Text, Type.Null()])),
        dataset: Type.Optional(Type.Union([Text, Type.Null()])),
        environment: Type.Optional(Type.Union([Text, Type.Null()])),
        time_window: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
      }),
      Type.Null(),
    ]),
  ),
});

export const SentryPayload = Type.Object({
  // Integration platform.
  action: Type.Optional(Text),
  data: Type.Optional(
    Type.Object({
      event: Type.Optional(SentryEvent),
      triggered_rule: Type.Optional(Type.Union([Text, Type.Null()])),
      issue: Type.Optional(SentryIssue),
      metric_alert: Type.Optional(MetricAlert),
      description_title: Type.Optional(Type.Union([Text, Type.Null()])),
      description_text: Type.Optional(Type.Union([Text, Type.Null()])),
      web_url: Type.Optional(Type.Union([Text, Type.Null()])),
    }),
  ),
  // Legacy WebHooks plugin.
  id: Type.Optional(Id),
  project: Type.Optional(Type.Union([Text, Type.Null()])),
  project_name: Type.Optional(Type.Union([Text, Type.Null()])),
  level: Type.Optional(Type.Union([Text, Type.Null()])),
  logger: Type.Optional(Type.Union([Text, Type.Null()])),
  culprit: Type.Optional(Type.Union([Text, Type.Null()])),
  message: Type.Optional(Type.Union([Text, Type.Null()])),
  url: Type.Optional(Type.Union([Text, Type.Null()])),
  triggering_rules: Type.Optional(Type.Union([Type.Array(Text, { maxItems: 100 }), Type.Null()])),
  event: Type.Optional(SentryEvent),
});

export type SentryBody = Static<typeof SentryPayload>;
type EventBody = Static<typeof SentryEvent>;

/** Issue alerts have no severity of their own (Flashduty: triggered → Warning). */
const ISSUE_ALERT_STATUS: EventStatus = 'Warning';
/** Metric alert actions; any other action is an active alert at this default. */
const METRIC_STATUS: Readonly<Record<string, EventStatus>> = {
  critical: 'Critical',
  warning: 'Warning',
  resolved: 'Ok',
};
const DEFAULT_METRIC_STATUS: EventStatus = 'Warning';

const str = (value: unknown): string => (value === undefined || value === null ? '' : String(value).trim());

/** Labels from named values, leaving out empty ones. */
function defined(values: Record<string, unknown>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) if (str(value)) labels[name] = str(value);
  return labels;
}

/** Sentry's event tags as labels (at most 20), before the source's own. */
function tagLabels(tags: EventBody['tags']): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const tag of tags ?? []) {
    const [key, value] = Array.isArray(tag) ? [tag[0], tag[1]] : [tag.key, tag.value];
    if (str(key) && str(value) && !Object.hasOwn(labels, str(key))) labels[str(key)] = str(value);
    if (Object.keys(labels).length === 20) break;
  }
  return labels;
}

const issueKey = (id: unknown) => `issue:${str(id)}`;

function eventTime(event: EventBody | undefined): number | undefined {
  if (!event) return undefined;
  if (event.datetime) return isoSeconds(event.datetime);
  const seconds = Number(event.timestamp);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

type Draft = Parameters<typeof buildAlertEvent>[0];
const build = (draft: Omit<Draft, 'templated'>, ctx: IngestContext) =>
  buildAlertEvent({ ...draft, templated: false }, ctx, () => {});

function issueAlert(body: SentryBody, ctx: IngestContext): AlertEventInput {
  const event = body.data?.event;
  if (!event) throw invalidParameter('data.event', 'it is required for an issue alert (event_alert)');
  if (!str(event.issue_id)) throw invalidParameter('data.event.issue_id', 'it is required');
  const rule = str(body.data?.triggered_rule);
  return build(
    {
      alertKey: { value: issueKey(event.issue_id), derived: false },
      titleRule: str(event.title) || str(event.message) || `Sentry issue ${str(event.issue_id)}`,
      description: [str(event.message), str(event.culprit) && `Culprit: ${str(event.culprit)}`]
        .filter(Boolean)
        .join('\n'),
      status: ISSUE_ALERT_STATUS,
      eventTime: eventTime(event),
      labels: {
        ...tagLabels(event.tags),
        ...defined({
          issue_id: event.issue_id,
          event_id: event.event_id,
          level: event.level,
          platform: event.platform,
          project: event.project,
          release: event.release,
          environment: event.environment,
          culprit: event.culprit,
          triggered_rule: rule,
          web_url: event.web_url,
          issue_url: event.issue_url,
        }),
      },
      images: [],
    },
    ctx,
  );
}

function metricAlert(body: SentryBody, ctx: IngestContext): AlertEventInput {
  const incident = body.data?.metric_alert;
  if (!incident) throw invalidParameter('data.metric_alert', 'it is required for a metric alert');
  if (!str(incident.id)) throw invalidParameter('data.metric_alert.id', 'it is required');
  const action = str(body.action).toLowerCase();
  const status = METRIC_STATUS[action] ?? DEFAULT_METRIC_STATUS;
  const rule = incident.alert_rule ?? undefined;
  const started = str(incident.date_started) || str(incident.date_detected);
  const time = status === 'Ok' ? str(incident.date_closed) : started;
  return build(
    {
      alertKey: { value: `metric_alert:${str(incident.id)}`, derived: false },
      titleRule:
        str(rule?.name) || str(body.data?.description_title) || str(incident.title) || 'Sentry metric alert',
      description: str(body.data?.description_text),
      status,
      eventTime: time ? isoSeconds(time) : undefined,
      labels: defined({
        action,
        metric_alert_id: incident.id,
        identifier: incident.identifier,
        alert_rule_id: rule?.id,
        aggregate: rule?.aggregate,
        query: rule?.query,
        dataset: rule?.dataset,
        environment: rule?.environment,
        time_window: rule?.time_window,
        projects: (incident.projects ?? []).join(','),
        web_url: body.data?.web_url,
      }),
      images: [],
    },
    ctx,
  );
}

/** An issue resolved in Sentry recovers its alert; other issue actions make no event. */
function issueChange(body: SentryBody, ctx: IngestContext): AlertEventInput[] {
  const issue = body.data?.issue;
  if (!issue) throw invalidParameter('data.issue', 'it is required for an issue webhook');
  if (!str(issue.id)) throw invalidParameter('data.issue.id', 'it is required');
  if (str(body.action).toLowerCase() !== 'resolved') return [];
  return [
    build(
      {
        alertKey: { value: issueKey(issue.id), derived: false },
        titleRule: str(issue.title) || `Sentry issue ${str(issue.id)}`,
        description: '',
        status: 'Ok',
        eventTime: undefined,
        labels: defined({
          issue_id: issue.id,
          short_id: issue.shortId,
          level: issue.level,
          culprit: issue.culprit,
          project: issue.project?.slug,
          web_url: issue.web_url,
        }),
        images: [],
      },
      ctx,
    ),
  ];
}

function legacyPlugin(body: SentryBody, ctx: IngestContext): AlertEventInput {
  const event = body.event;
  return build(
    {
      alertKey: { value: issueKey(body.id), derived: false },
      titleRule:
        str(event?.title) || str(body.message) || str(body.culprit) || `Sentry issue ${str(body.id)}`,
      description: [str(body.message), str(body.culprit) && `Culprit: ${str(body.culprit)}`]
        .filter(Boolean)
        .join('\n'),
      status: ISSUE_ALERT_STATUS,
      eventTime: eventTime(event),
      labels: {
        ...tagLabels(event?.tags),
        ...defined({
          issue_id: body.id,
          event_id: event?.event_id,
          level: body.level,
          logger: body.logger,
          project: body.project,
          project_name: body.project_name,
          culprit: body.culprit,
          triggered_rule: (body.triggering_rules ?? []).join(', '),
          web_url: body.url,
        }),
      },
      images: [],
    },
    ctx,
  );
}

/**
 * The events of one Sentry webhook. `resource` is the Sentry-Hook-Resource header (absent for the
 * legacy plugin and for senders that drop it: the body then decides).
 */
export function normalizeSentryPayload(
  body: SentryBody,
  resource: string | undefined,
  ctx: IngestContext,
): AlertEventInput[] {
  const kind =
    resource ||
    (body.data?.metric_alert
      ? 'metric_alert'
      : body.data?.event
        ? 'event_alert'
        : body.data?.issue
          ? 'issue'
          : str(body.id)
            ? 'legacy'
            : undefined);
  if (kind === undefined) {
    throw invalidParameter(
      'data',
      'it is required (data.event, data.metric_alert or data.issue; or id for the WebHooks plugin)',
    );
  }
  if (kind === 'event_alert') return [issueAlert(body, ctx)];
  if (kind === 'metric_alert') return [metricAlert(body, ctx)];
  if (kind === 'issue') return issueChange(body, ctx);
  if (kind === 'legacy') return [legacyPlugin(body, ctx)];
  // Resources that raise no alert (installation, error, comment, ...): accepted, no event.
  return [];
}
