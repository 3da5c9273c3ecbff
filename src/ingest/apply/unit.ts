import type { AlertSource } from '../../alerts/transitions.ts';
import { alertLockName } from '../../alerts/transitions.ts';
import type { ChannelRow } from '../../channels/channels.store.ts';
import { type GroupConfig, type Grouping, groupingKey } from '../../incidents/grouping.ts';
import type { AlertEventInput } from '../event.ts';

/**
 * One event for one of the channels it was routed to: what the phases after routing (lock, load,
 * decide, write) work on. `screened`: the channel has drop, silence or inhibit rules, so the event
 * takes the one-event path (./apply-screened.ts), which screens it.
 */
export type AlertUnit = {
  source: AlertSource;
  channel: ChannelRow;
  event: AlertEventInput;
  screened: boolean;
};

/** The name of a unit's alert key (integration, channel, key): how a batch tells keys apart. */
export const keyName = (unit: AlertUnit): string =>
  alertLockName({
    integrationId: unit.source.integrationId,
    channelId: unit.channel.channel_id,
    alertKey: unit.event.alertKey,
  });

/** The name of a grouping key of a channel. */
export const groupName = (channelId: number, groupKey: string): string => `group:${channelId}:${groupKey}`;

/** Groupings computed so far, by event and channel. */
const groupings = new WeakMap<AlertEventInput, Map<ChannelRow, Grouping | null>>();

/**
 * The grouping key of a unit's event in its channel (src/incidents/grouping.ts), computed once per
 * event and channel: the lock phase and the decide phase both ask for it.
 */
export function groupingOf(unit: AlertUnit): Grouping | null {
  const { channel, event } = unit;
  let byChannel = groupings.get(event);
  if (!byChannel) {
    byChannel = new Map();
    groupings.set(event, byChannel);
  }
  let grouping = byChannel.get(channel);
  if (grouping === undefined) {
    grouping = groupingKey(channel.group as GroupConfig, {
      title: event.title,
      description: event.description,
      severity: event.severity,
      labels: event.labels,
      alertKey: event.alertKey,
      integrationId: unit.source.integrationId,
    });
    byChannel.set(channel, grouping);
  }
  return grouping;
}
