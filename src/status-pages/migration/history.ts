import type { ChangeCreateRequest } from '../status-pages.schemas.ts';
import { type ChangeType, type ComponentStatus, type EVENT_STATUSES, isTerminal } from '../timeline.ts';

type EventStatus = (typeof EVENT_STATUSES)[number];

import type { SpIncident, SpIncidentUpdate } from './statuspage-client.ts';

/*
 * A Statuspage incident or scheduled maintenance as a Vigil status-page event (pure): statuses and
 * component statuses mapped, updates in time order, and the timeline adjusted to Vigil's rules
 * (timeline.ts): the first update names the affected components, and an ended event leaves them
 * operational. docs/status-pages.md, "Migrating from Statuspage".
 */

const INCIDENT_STATUS: Record<string, EventStatus> = {
  investigating: 'investigating',
  identified: 'identified',
  monitoring: 'monitoring',
  resolved: 'resolved',
  postmortem: 'resolved',
};

const MAINTENANCE_STATUS: Record<string, EventStatus> = {
  scheduled: 'scheduled',
  in_progress: 'ongoing',
  verifying: 'ongoing',
  completed: 'completed',
};

const COMPONENT_STATUS: Record<string, ComponentStatus> = {
  operational: 'operational',
  degraded_performance: 'degraded',
  partial_outage: 'partial_outage',
  major_outage: 'full_outage',
  under_maintenance: 'under_maintenance',
};

export function isMaintenance(incident: SpIncident): boolean {
  return (
    Boolean(incident.scheduled_for) ||
    incident.impact === 'maintenance' ||
    incident.status in MAINTENANCE_STATUS
  );
}

const seconds = (iso: string | null | undefined): number => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
};

const updateTime = (update: SpIncidentUpdate) => seconds(update.display_at) || seconds(update.created_at);

/** What an affected component becomes in the first update when Statuspage does not say. */
function defaultStatus(type: ChangeType, impact: string | null | undefined): ComponentStatus {
  if (type === 'maintenance') return 'under_maintenance';
  if (impact === 'critical') return 'full_outage';
  if (impact === 'major') return 'partial_outage';
  return 'degraded';
}

/** The component status an event of this type may set, or undefined (an incident does not set maintenance). */
function allowedStatus(type: ChangeType, status: ComponentStatus): ComponentStatus | undefined {
  if (type === 'maintenance') return status === 'operational' ? 'operational' : 'under_maintenance';
  return status === 'under_maintenance' ? undefined : status;
}

const LIMIT = { title: 255, markdown: 20_000, updates: 100 };

/**
 * The create request for one Statuspage event, or the reason it cannot be one. `componentIds` maps
 * Statuspage component ids to Vigil's (components not migrated are left out).
 */
export function toChangeRequest(
  pageId: number,
  incident: SpIncident,
  componentIds: ReadonlyMap<string, string>,
): { request: ChangeCreateRequest } | { skipped: string } {
  const type: ChangeType = isMaintenance(incident) ? 'maintenance' : 'incident';
  const statuses = type === 'maintenance' ? MAINTENANCE_STATUS : INCIDENT_STATUS;
  const updates = [...(incident.incident_updates ?? [])]
    .filter((u) => u && typeof u.status === 'string')
    .sort((a, b) => updateTime(a) - updateTime(b))
    .slice(-LIMIT.updates);
  const affected = new Set<string>();
  for (const update of updates) {
    for (const c of update.affected_components ?? []) if (componentIds.has(c.code)) affected.add(c.code);
  }
  for (const c of incident.components ?? []) if (componentIds.has(c.id)) affected.add(c.id);
  if (affected.size === 0) return { skipped: 'it names no migrated component' };

  const start =
    type === 'maintenance'
      ? seconds(incident.scheduled_for) || seconds(incident.created_at)
      : seconds(incident.started_at) || seconds(incident.created_at);
  const current = new Map<string, ComponentStatus>();
  let previousAt = 0;
  let status: EventStatus = type === 'maintenance' ? 'scheduled' : 'investigating';
  const timeline = (updates.length > 0 ? updates : [undefined]).map((update, index) => {
    status = (update && statuses[update.status]) || status;
    const changes = new Map<string, ComponentStatus>();
    for (const c of update?.affected_components ?? []) {
      const mapped = COMPONENT_STATUS[c.new_status ?? ''];
      const allowed = mapped && allowedStatus(type, mapped);
      if (componentIds.has(c.code) && allowed) changes.set(c.code, allowed);
    }
    if (index === 0) {
      for (const code of affected)
        if (!changes.has(code)) changes.set(code, defaultStatus(type, incident.impact));
    }
    if (isTerminal(status)) {
      for (const code of affected)
        if ((changes.get(code) ?? current.get(code)) !== 'operational') changes.set(code, 'operational');
    }
    for (const [code, s] of changes) current.set(code, s);
    // Vigil's events start with their first update, except the notes of a maintenance still scheduled.
    let at = Math.max(update ? updateTime(update) : start, previousAt);
    if (at < start && !(type === 'maintenance' && status === 'scheduled')) at = start;
    previousAt = at;
    return {
      at_seconds: at,
      status,
      description: (update?.body ?? '').slice(0, LIMIT.markdown),
      component_changes: [...changes].map(([code, s]) => ({
        component_id: componentIds.get(code)!,
        status: s,
      })),
    };
  });
  const last = timeline[timeline.length - 1]!;
  const plannedEnd = type === 'maintenance' ? seconds(incident.scheduled_until) : 0;
  const closeAt =
    plannedEnd > start && (!isTerminal(last.status) || plannedEnd >= last.at_seconds) ? plannedEnd : 0;
  const title = incident.name.trim().slice(0, LIMIT.title) || 'Untitled';
  return {
    request: {
      page_id: pageId,
      type,
      title,
      description: timeline.find((u) => u.description)?.description || title,
      status: last.status,
      start_at_seconds: start,
      ...(closeAt ? { close_at_seconds: closeAt } : {}),
      updates: timeline,
      is_retrospective: isTerminal(last.status) && timeline.length >= 2,
      notify_subscribers: false,
    },
  };
}
