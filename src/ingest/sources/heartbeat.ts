import type { HeartbeatSettings } from '../../integrations/source-settings.ts';
import { type AlertEventInput, buildAlertEvent, type IngestContext } from '../event.ts';

/*
 * The events of a heartbeat integration (a dead-man's switch, docs/sources.md "Heartbeats"): one
 * alert per integration, opened when a ping is late and recovered by the next ping. Pure.
 */

/** Every heartbeat alert of an integration has this key: one alert per integration. */
const HEARTBEAT_ALERT_KEY = 'heartbeat';

const labelsOf = (settings: HeartbeatSettings, ctx: IngestContext) => ({
  check: 'heartbeat',
  integration: ctx.integrationName,
  interval_minutes: String(settings.interval_minutes),
});

const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`;

/** The time of a ping in a description: ISO 8601, UTC, to the second. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The alert event of a late ping: `lastPingAt` and `dueAt` in Unix ms. */
export function missedHeartbeatEvent(
  settings: HeartbeatSettings,
  lastPingAt: number,
  dueAt: number,
  ctx: IngestContext,
): AlertEventInput {
  return buildAlertEvent(
    {
      alertKey: { value: HEARTBEAT_ALERT_KEY, derived: false },
      titleRule: `Heartbeat missed: ${ctx.integrationName}`,
      templated: false,
      description:
        `No ping since ${isoSeconds(lastPingAt)}; one is expected every ${minutes(settings.interval_minutes)} ` +
        `(grace ${minutes(settings.grace_minutes)}), so it was due by ${isoSeconds(dueAt)}.`,
      status: settings.severity,
      eventTime: Math.floor(dueAt / 1000),
      labels: labelsOf(settings, ctx),
      images: [],
    },
    ctx,
    () => {},
  );
}

/** The event that recovers the alert of a late ping: a ping came at `pingAt` (Unix ms). */
export function recoveredHeartbeatEvent(
  settings: HeartbeatSettings,
  pingAt: number,
  ctx: IngestContext,
): AlertEventInput {
  return buildAlertEvent(
    {
      alertKey: { value: HEARTBEAT_ALERT_KEY, derived: false },
      titleRule: `Heartbeat missed: ${ctx.integrationName}`,
      templated: false,
      description: `A ping came again at ${isoSeconds(pingAt)}.`,
      status: 'Ok',
      eventTime: Math.floor(pingAt / 1000),
      labels: labelsOf(settings, ctx),
      images: [],
    },
    ctx,
    () => {},
  );
}
