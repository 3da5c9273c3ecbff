import { compileRegex } from '../alerts/patterns.ts';
import { compileMapping, type WebhookMapping } from '../ingest/sources/webhook-mapping.ts';
import { invalidParameter } from '../shared/app-error.ts';

/*
 * The settings of alert sources that need some (docs/sources.md): a heartbeat's period, a generic
 * webhook's mapping, an e-mail integration's recovery patterns. Checked field by field, each error
 * naming its field; fields not listed here are dropped, so unknown fields change nothing. Pure.
 */

export type Severity = 'Critical' | 'Warning' | 'Info';
const SEVERITIES: readonly Severity[] = ['Critical', 'Warning', 'Info'];

export type HeartbeatSettings = { interval_minutes: number; grace_minutes: number; severity: Severity };
export type EmailSettings = { recovery_patterns: string[]; severity: Severity };
export type SourceSettings = HeartbeatSettings | WebhookMapping | EmailSettings;

const HEARTBEAT_DEFAULTS: HeartbeatSettings = {
  interval_minutes: 5,
  grace_minutes: 1,
  severity: 'Critical',
};
const MAX_INTERVAL_MINUTES = 7 * 24 * 60;
const MAX_GRACE_MINUTES = 24 * 60;
const MAX_RECOVERY_PATTERNS = 20;
const MAX_PATTERN_LENGTH = 256;

/** True for the alert sources whose settings this module checks. */
export const hasSourceSettings = (pluginType: string): boolean =>
  pluginType === 'alert.heartbeat' || pluginType === 'alert.webhook' || pluginType === 'alert.email';

type Raw = Record<string, unknown> | undefined;

function integerIn(raw: Raw, field: string, min: number, max: number, fallback: number): number {
  const value = raw?.[field];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`settings.${field}`, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function severityOf(raw: Raw, fallback: Severity): Severity {
  const value = raw?.severity;
  if (value === undefined) return fallback;
  if (!SEVERITIES.includes(value as Severity)) {
    throw invalidParameter('settings.severity', 'must be one of "Critical", "Warning", "Info"');
  }
  return value as Severity;
}

export function parseHeartbeatSettings(raw: Raw): HeartbeatSettings {
  return {
    interval_minutes: integerIn(
      raw,
      'interval_minutes',
      1,
      MAX_INTERVAL_MINUTES,
      HEARTBEAT_DEFAULTS.interval_minutes,
    ),
    grace_minutes: integerIn(raw, 'grace_minutes', 0, MAX_GRACE_MINUTES, HEARTBEAT_DEFAULTS.grace_minutes),
    severity: severityOf(raw, HEARTBEAT_DEFAULTS.severity),
  };
}

export function parseEmailSettings(raw: Raw): EmailSettings {
  const patterns = raw?.recovery_patterns ?? [];
  if (!Array.isArray(patterns) || patterns.length > MAX_RECOVERY_PATTERNS) {
    throw invalidParameter(
      'settings.recovery_patterns',
      `must be an array of at most ${MAX_RECOVERY_PATTERNS} strings`,
    );
  }
  patterns.forEach((pattern, i) => {
    const field = `settings.recovery_patterns[${i}]`;
    if (typeof pattern !== 'string' || pattern === '' || pattern.length > MAX_PATTERN_LENGTH) {
      throw invalidParameter(field, `must be a regular expression of 1 to ${MAX_PATTERN_LENGTH} characters`);
    }
    const compiled = compileRegex(pattern);
    if (typeof compiled === 'string') throw invalidParameter(field, compiled);
  });
  return { recovery_patterns: patterns as string[], severity: severityOf(raw, 'Warning') };
}

const DEFAULT_WEBHOOK_MAPPING = {
  title: '$.title',
  alert_key: '$.alert_key',
  description: '$.description',
  status: '$.status',
  severity: '$.severity',
  event_time: '$.event_time',
};

/** The checked settings of a source that has some; undefined for other types. */
export function parseSourceSettings(pluginType: string, raw: Raw): SourceSettings | undefined {
  if (pluginType === 'alert.heartbeat') return parseHeartbeatSettings(raw);
  if (pluginType === 'alert.email') return parseEmailSettings(raw);
  // A webhook made without a mapping (the console's create form) starts from one for a flat payload.
  if (pluginType === 'alert.webhook') return compileMapping(raw ?? DEFAULT_WEBHOOK_MAPPING).mapping;
  return undefined;
}
