import { AppError } from '../../shared/app-error.ts';
import {
  type AlertEventInput,
  buildAlertEvent,
  INGEST_LIMITS,
  type IngestContext,
  shortHash,
} from '../event.ts';
import { rfc3339Seconds } from '../prometheus.ts';
import { severityOfWord } from './severity.ts';
import { evaluate, evaluateText, type WebhookMapping } from './webhook-mapping.ts';

/*
 * The generic webhook (`alert.webhook`, docs/sources.md "Generic webhook"): any JSON payload, made
 * into one alert event by the integration's mapping (./webhook-mapping.ts). Pure.
 */

/** An event time from a matched value: Unix seconds or ms (number or digits), or RFC 3339 text. */
function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value > 0 ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  return rfc3339Seconds(text);
}

/** The event a payload maps to; InvalidParameter when the title expression matches nothing. */
export function normalizeWebhookPayload(
  payload: unknown,
  mapping: WebhookMapping,
  ctx: IngestContext,
): { event: AlertEventInput; warnings: string[] } {
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  if (typeof payload !== 'object' || payload === null) {
    throw new AppError(
      'InvalidParameter',
      'The specified parameter body is not valid: a JSON object or array is required.',
    );
  }
  const title = evaluateText(mapping.title, payload).trim();
  if (title === '') {
    throw new AppError(
      'InvalidParameter',
      `The specified parameter body is not valid: the title expression ${JSON.stringify(mapping.title)} ` +
        'of the integration mapping matched nothing in the payload.',
    );
  }
  const statusText = evaluateText(mapping.status, payload).trim().toLowerCase();
  const recovered = statusText !== '' && mapping.recovery_values.includes(statusText);
  const severity = severityOfWord(evaluate(mapping.severity, payload), mapping.default_severity);
  let key = evaluateText(mapping.alert_key, payload);
  if (key.length > INGEST_LIMITS.alertKey) {
    warn(`alert_key was hashed: it is longer than ${INGEST_LIMITS.alertKey} characters`);
    key = shortHash(['vigil/webhook/v1', key]);
  }
  const labels: Record<string, string> = {};
  for (const [name, expression] of Object.entries(mapping.labels)) {
    const value = evaluateText(expression, payload);
    if (value !== '') labels[name] = value;
  }
  const event = buildAlertEvent(
    {
      alertKey: key === '' ? undefined : { value: key, derived: false },
      titleRule: title,
      templated: false,
      description: evaluateText(mapping.description, payload),
      status: recovered ? 'Ok' : severity,
      eventTime: timeOf(evaluate(mapping.event_time, payload)),
      labels,
      images: [],
    },
    ctx,
    warn,
  );
  return { event, warnings };
}
