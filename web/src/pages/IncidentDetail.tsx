import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  Grid,
  Group,
  Loader,
  Menu,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { type FormEvent, Fragment, lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { type DeliveryItem, DeliveryLog, WhyNotNotified } from '../components/Notifications.tsx';
import { useChecks } from '../field-checks.ts';
import { describeFeedEntry, describePlacement, formatDuration, formatTime } from '../format.ts';
import { useLiveRefresh } from '../live.ts';
import { useSession } from '../session.tsx';
import { withQuery } from '../statusPages.ts';
import type { Alert as AlertItem, FeedItem, Incident, Person, RelatedChange, Severity } from '../types.ts';
import { ProgressBadge, SeverityBadge } from '../ui.tsx';
import type { ActionKind } from './IncidentActions.tsx';

// The reassign, responder, merge and publish dialogs load with the first one opened.
const IncidentActionDialog = lazy(async () => ({
  default: (await import('./IncidentActions.tsx')).IncidentActionDialog,
}));

/** How often the page refreshes itself while the live stream is down. */
const POLL_MS = 10_000;
/** How often the delivery log is re-read while a notification is still pending. */
const DELIVERY_POLL_MS = 5_000;
/** At most this many alerts have their own timeline read (for merges and mutes). */
const ALERT_FEEDS = 20;
const SNOOZES = [
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 120, label: '2 hours' },
  { minutes: 240, label: '4 hours' },
  { minutes: 480, label: '8 hours' },
  { minutes: 1440, label: '24 hours' },
];

const RESOLVED_MESSAGE = 'This incident has been resolved. Thank you for your patience.';
const STATUS_WORDS: Record<string, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

type Loaded = {
  incident: Incident;
  feed: FeedItem[];
  alerts: AlertItem[];
  people: Map<number, string>;
  /** Changes that may have caused it; a sentence when they could not be read. */
  changes: RelatedChange[] | string;
  /** Why each alert is here, by alert id. */
  why: Map<string, string>;
  /** Who was notified and how it went; a sentence when it could not be read. */
  deliveries: DeliveryItem[] | string;
  /** The status-page events it was published as (i_publish entries), with their current state. */
  publications: Publication[];
  /** The custom actions offered on the incident's channel (docs/custom-actions.md). */
  customActions: CustomAction[];
};

type CustomAction = { integration_id: number; integration_name: string };

type Publication = {
  page_id: number;
  page_name: string;
  change_id: number;
  title: string;
  /** The event's status now; '' when it could not be read (deleted, or no permission). */
  status: string;
  url: string;
  component_ids: string[];
};

const ENDED = new Set(['resolved', 'completed']);

/** The public events the incident was published as, read from the pages (a gone one is skipped). */
async function loadPublications(incidentId: string): Promise<Publication[]> {
  const entries = await api
    .post<{ items: FeedItem[] }>('/incident/feed', {
      incident_id: incidentId,
      types: ['i_publish'],
      limit: 20,
    })
    .catch(() => ({ items: [] as FeedItem[] }));
  return (
    await Promise.all(
      entries.items.map(async (entry) => {
        const pageId = Number(entry.detail.page_id);
        const changeId = Number(entry.detail.change_id);
        const [event, page] = await Promise.all([
          api
            .get<{ status: string; title: string; affected_components: { component_id: string }[] }>(
              withQuery('/status-page/change/info', { page_id: pageId, change_id: changeId }),
            )
            .catch(() => undefined),
          api
            .get<{ public_url: string; name: string }>(withQuery('/status-page/info', { page_id: pageId }))
            .catch(() => undefined),
        ]);
        if (!event || !page) return [];
        return [
          {
            page_id: pageId,
            page_name: page.name,
            change_id: changeId,
            title: event.title,
            status: event.status,
            url: `${page.public_url}#event-${changeId}`,
            component_ids: event.affected_components.map((c) => c.component_id),
          },
        ];
      }),
    )
  ).flat();
}

/** Person ids named anywhere on the page, so one /person/infos call can name them all. */
function personIds(incident: Incident, feed: FeedItem[], more: number[]): number[] {
  const ids = new Set<number>([
    ...(incident.assigned_to.person_ids ?? []),
    ...incident.responders.map((r) => r.person_id),
    ...more,
  ]);
  for (const entry of feed) {
    if (entry.creator_id) ids.add(entry.creator_id);
    if (Array.isArray(entry.detail.person_ids))
      for (const id of entry.detail.person_ids as number[]) ids.add(id);
  }
  return [...ids].filter((id) => id > 0);
}

/**
 * An alert's own placement entries (merges, mutes), kept across reloads: they are written once, so
 * a live reload re-reads only alerts not seen before, or newly muted. Key: alert id and ever_muted.
 */
type AlertFeedCache = Map<string, FeedItem[]>;

async function load(incidentId: string, cache: AlertFeedCache): Promise<Loaded> {
  const [incident, feed, alerts, changes, placements, deliveries, publications, customActions] =
    await Promise.all([
      api.post<Incident>('/incident/info', { incident_id: incidentId }),
      api.post<{ items: FeedItem[] }>('/incident/feed', { incident_id: incidentId, limit: 100 }),
      api.post<{ items: AlertItem[] }>('/incident/alert/list', {
        incident_id: incidentId,
        limit: 100,
        include_events: true,
      }),
      api
        .post<{ items: RelatedChange[] }>('/incident/change/list', { incident_id: incidentId, limit: 5 })
        .then((page) => page.items, describeError),
      // How each alert came here: the entry of its opening (i_new) or joining (a_merge).
      api.post<{ items: FeedItem[] }>('/incident/feed', {
        incident_id: incidentId,
        types: ['i_new', 'a_merge'],
        asc: true,
        limit: 100,
      }),
      api
        .post<{ items: DeliveryItem[] }>('/incident/notification/list', { incident_id: incidentId })
        .then((page) => page.items, describeError),
      loadPublications(incidentId),
      // Offered only where they can run; none shown when they cannot be read.
      api.post<{ items: CustomAction[] }>('/incident/custom-action/list', { incident_id: incidentId }).then(
        (page) => page.items,
        () => [] as CustomAction[],
      ),
    ]);
  const joined = new Map<string, FeedItem>();
  for (const entry of placements.items) {
    const alertId = entry.detail.alert_id;
    if (typeof alertId === 'string') joined.set(alertId, entry);
  }
  // An alert's own timeline tells a merge from another incident and a mute by the channel's rules.
  const own = alerts.items.filter((a) => a.ever_muted || !joined.has(a.alert_id)).slice(0, ALERT_FEEDS);
  const alertFeeds = new Map(
    await Promise.all(
      own.map(async (a) => {
        const key = `${a.alert_id}:${a.ever_muted ? 1 : 0}`;
        const cached = cache.get(key);
        if (cached) return [a.alert_id, cached] as const;
        const page = await api
          .post<{ items: FeedItem[] }>('/alert/feed', {
            alert_id: a.alert_id,
            types: ['a_merge', 'a_m_silence', 'a_m_inhibit'],
            limit: 20,
          })
          .catch(() => undefined);
        if (page) cache.set(key, page.items);
        return [a.alert_id, page?.items ?? []] as const;
      }),
    ),
  );
  const mergers = [...alertFeeds.values()].flat().map((e) => e.creator_id);
  // The incidents alerts were merged from, by number and title (a removed one keeps its id).
  const fromIds = [
    ...new Set(
      [...alertFeeds.values()]
        .flat()
        .map((e) => e.detail.from_incident_id)
        .filter((id): id is string => typeof id === 'string' && id !== ''),
    ),
  ].slice(0, 100);
  const sources = fromIds.length
    ? (
        await api
          .post<{ items: Incident[] }>('/incident/list-by-ids', { incident_ids: fromIds })
          .catch(() => ({ items: [] as Incident[] }))
      ).items
    : [];
  const sourceName = (id: string) => {
    const found = sources.find((i) => i.incident_id === id);
    return found ? `#${found.num} ${found.title}` : `incident ${id}`;
  };
  const movers = [...joined.values()].map((e) => Number(e.detail.person_id) || 0);
  const notified = typeof deliveries === 'string' ? [] : deliveries.map((d) => d.person_id);
  const ids = personIds(incident, feed.items, [...mergers, ...movers, ...notified]);
  const people = ids.length
    ? (await api.post<{ items: Person[] }>('/person/infos', { person_ids: ids })).items
    : [];
  const names = new Map(people.map((p) => [p.person_id, p.person_name]));
  const name = (id: number) => names.get(id) ?? `#${id}`;
  return {
    incident,
    feed: feed.items,
    alerts: alerts.items,
    changes,
    people: names,
    deliveries,
    publications,
    customActions,
    why: new Map(
      alerts.items.map((a) => [
        a.alert_id,
        describePlacement(joined.get(a.alert_id), alertFeeds.get(a.alert_id) ?? [], name, sourceName),
      ]),
    ),
  };
}

export function IncidentDetailPage({ incidentId }: { incidentId: string }) {
  const publicChecks = useChecks('/status-page/change/timeline/create', { message: 'description' });
  const resolveChecks = useChecks('/incident/resolve', { rootCause: 'root_cause', resolution: 'resolution' });
  const commentChecks = useChecks('/incident/comment', { comment: 'comment' });
  const { member, timeZone } = useSession();
  const locale = member.locale || 'en-US';
  const time = (ms: number) => formatTime(ms, timeZone, locale);
  const [data, setData] = useState<Loaded>();
  const [loadError, setLoadError] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [resolving, setResolving] = useState(false);
  const [rootCause, setRootCause] = useState('');
  const [resolution, setResolution] = useState('');
  /** The open public events to resolve with the incident, and what to tell customers. */
  const [resolvePublic, setResolvePublic] = useState(true);
  const [publicMessage, setPublicMessage] = useState(RESOLVED_MESSAGE);
  const [comment, setComment] = useState('');
  const [openAlerts, setOpenAlerts] = useState<ReadonlySet<string>>(new Set());
  const [editing, setEditing] = useState<{ title: string; severity: Severity; description: string }>();
  const [dialog, setDialog] = useState<ActionKind>();
  const [, navigate] = useLocation();

  const alertFeedCache = useRef<AlertFeedCache>(new Map());
  const refresh = useCallback(async () => {
    try {
      setData(await load(incidentId, alertFeedCache.current));
      setLoadError(undefined);
    } catch (caught) {
      setLoadError(describeError(caught));
    }
  }, [incidentId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  const live = useLiveRefresh(refresh, { pollMs: POLL_MS, concerns: (ids) => ids.includes(incidentId) });

  // A pending notification settles without changing the incident: re-read the log until none is.
  const pending =
    data !== undefined &&
    typeof data.deliveries !== 'string' &&
    data.deliveries.some((d) => d.status === 'pending');
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const page = await api.post<{ items: DeliveryItem[] }>('/incident/notification/list', {
          incident_id: incidentId,
        });
        setData((current) => current && { ...current, deliveries: page.items });
      } catch {
        // the next full refresh says what is wrong
      }
    }, DELIVERY_POLL_MS);
    return () => clearInterval(timer);
  }, [pending, incidentId]);

  /** Runs one Open API action, then reloads the page's data. */
  const act = async (name: string, path: string, body: Record<string, unknown>, success: string) => {
    setBusy(name);
    setActionError(undefined);
    setDone(undefined);
    try {
      await api.post(
        path,
        path === '/incident/reset'
          ? { incident_id: incidentId, ...body }
          : { incident_ids: [incidentId], ...body },
      );
      setDone(success);
      await refresh();
      return true;
    } catch (caught) {
      setActionError(describeError(caught));
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  if (!data) {
    return loadError ? (
      <Alert color="red" title="This incident could not be loaded" role="alert">
        {loadError} <Link href="/incidents">Back to the incidents.</Link>
      </Alert>
    ) : (
      <Loader aria-label="Loading the incident" />
    );
  }

  const { incident, feed, alerts, people, changes, why, deliveries, publications, customActions } = data;
  const openPublications = publications.filter((p) => p.status !== '' && !ENDED.has(p.status));

  /** Resolves the open public events: every affected component back to operational. */
  const resolvePublications = async (message: string) => {
    for (const p of openPublications) {
      await api.post('/status-page/change/timeline/create', {
        page_id: p.page_id,
        change_id: p.change_id,
        status: 'resolved',
        description: message,
        component_changes: p.component_ids.map((component_id) => ({ component_id, status: 'operational' })),
      });
    }
  };
  const resolvePublicNow = async () => {
    setBusy('public');
    setActionError(undefined);
    try {
      await resolvePublications(RESOLVED_MESSAGE);
      setDone('The public event is resolved.');
      await refresh();
    } catch (caught) {
      setActionError(describeError(caught));
    } finally {
      setBusy(undefined);
    }
  };
  const ids = { incident_ids: [incidentId] };
  const name = (id: number) => people.get(id) ?? `#${id}`;
  const closed = incident.progress === 'Closed';
  const snoozed = incident.snoozed_before * 1000 > Date.now();
  const labels = Object.entries(incident.labels ?? {});

  /** Runs a custom action; its endpoint's failure is shown like any refusal. */
  const runCustomAction = async (action: CustomAction) => {
    setBusy(`custom-${action.integration_id}`);
    setActionError(undefined);
    setDone(undefined);
    try {
      const result = await api.post<{ message?: string }>('/incident/custom-action/do', {
        incident_id: incidentId,
        integration_id: action.integration_id,
      });
      if (result.message) setActionError(`${action.integration_name} failed: ${result.message}`);
      else setDone(`${action.integration_name} ran.`);
      await refresh();
    } catch (caught) {
      setActionError(describeError(caught));
    } finally {
      setBusy(undefined);
    }
  };
  /** The incident's post-mortem, created (prefilled, as a draft) the first time. */
  const openPostMortem = async () => {
    if (incident.post_mortem_id) return navigate(`/post-mortems/${incident.post_mortem_id}`);
    setBusy('post-mortem');
    setActionError(undefined);
    try {
      const created = await api.post<{ meta: { post_mortem_id: string } }>('/incident/post-mortem/init', ids);
      navigate(`/post-mortems/${created.meta.post_mortem_id}`);
    } catch (caught) {
      setActionError(describeError(caught));
    } finally {
      setBusy(undefined);
    }
  };
  const submitComment = async (event: FormEvent) => {
    event.preventDefault();
    if (await act('comment', '/incident/comment', { ...ids, comment }, 'Comment added.')) setComment('');
  };
  const submitEdit = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    // Only what changed: each field is its own timeline entry.
    const body = {
      incident_id: incidentId,
      ...(editing.title !== incident.title ? { title: editing.title.trim() } : {}),
      ...(editing.severity !== incident.incident_severity ? { incident_severity: editing.severity } : {}),
      ...(editing.description !== incident.description ? { description: editing.description } : {}),
    };
    if (Object.keys(body).length === 1) return setEditing(undefined);
    if (await act('edit', '/incident/reset', body, 'Incident updated.')) setEditing(undefined);
  };
  const submitResolve = async (event: FormEvent) => {
    event.preventDefault();
    const withPublic = resolvePublic && openPublications.length > 0;
    if (withPublic && !publicMessage.trim())
      return setActionError('Write the message to customers, or untick it.');
    const ok = await act(
      'resolve',
      '/incident/resolve',
      { ...ids, ...(rootCause ? { root_cause: rootCause } : {}), ...(resolution ? { resolution } : {}) },
      withPublic ? 'Incident and its public event resolved.' : 'Incident resolved.',
    );
    if (!ok) return;
    if (withPublic) {
      try {
        await resolvePublications(publicMessage.trim());
        await refresh();
      } catch (caught) {
        setDone('Incident resolved.');
        setActionError(`The public event could not be resolved: ${describeError(caught)}`);
      }
    }
    setResolving(false);
  };

  return (
    <Stack gap="md">
      <Anchor component={Link} href="/incidents" size="sm">
        ← Incidents
      </Anchor>
      <Stack gap={4}>
        <Group gap="xs">
          <SeverityBadge severity={incident.incident_severity} />
          <ProgressBadge progress={incident.progress} />
          {snoozed && (
            <Badge color="grape" variant="light">
              Snoozed until {time(incident.snoozed_before * 1000)}
            </Badge>
          )}
          <Text size="sm" c="dimmed">
            #{incident.num}
          </Text>
          <Text size="xs" c="dimmed" title="Changes made elsewhere show here without reloading">
            {live === 'live' ? 'Live' : `Refreshing every ${POLL_MS / 1000} s`}
          </Text>
        </Group>
        <Title order={2} style={{ overflowWrap: 'anywhere' }}>
          {incident.title}
        </Title>
      </Stack>

      <Group gap="xs" role="toolbar" aria-label="Actions">
        {incident.progress === 'Triggered' && (
          <Button
            loading={busy === 'ack'}
            onClick={() => void act('ack', '/incident/ack', ids, 'Acknowledged.')}
          >
            Acknowledge
          </Button>
        )}
        {incident.progress === 'Processing' && (
          <Button
            variant="default"
            loading={busy === 'unack'}
            onClick={() => void act('unack', '/incident/unack', ids, 'Acknowledgement withdrawn.')}
          >
            Unacknowledge
          </Button>
        )}
        {!closed && (
          <Button color="green" onClick={() => setResolving(true)}>
            Resolve
          </Button>
        )}
        {closed && (
          <Button
            variant="default"
            loading={busy === 'reopen'}
            onClick={() => void act('reopen', '/incident/reopen', ids, 'Incident reopened.')}
          >
            Reopen
          </Button>
        )}
        <Button
          variant="default"
          onClick={() =>
            setEditing({
              title: incident.title,
              severity: incident.incident_severity,
              description: incident.description,
            })
          }
        >
          Edit
        </Button>
        {!closed && (
          <>
            <Button variant="default" onClick={() => setDialog('assign')}>
              Reassign
            </Button>
            <Button variant="default" onClick={() => setDialog('responder')}>
              Add responder
            </Button>
            <Button variant="default" onClick={() => setDialog('merge')}>
              Merge
            </Button>
          </>
        )}
        <Button variant="default" onClick={() => setDialog('publish')}>
          Publish to status page
        </Button>
        <Button variant="default" loading={busy === 'post-mortem'} onClick={() => void openPostMortem()}>
          {incident.post_mortem_id ? 'Post-mortem' : 'Write post-mortem'}
        </Button>
        {!closed && (
          <Menu>
            <Menu.Target>
              <Button variant="default" loading={busy === 'snooze'}>
                Snooze
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {SNOOZES.map((s) => (
                <Menu.Item
                  key={s.minutes}
                  onClick={() =>
                    void act(
                      'snooze',
                      '/incident/snooze',
                      { ...ids, minutes: s.minutes },
                      `Snoozed for ${s.label}.`,
                    )
                  }
                >
                  {s.label}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
      {customActions.length > 0 && (
        <Group gap="xs" role="toolbar" aria-label="Custom actions">
          {customActions.map((action) => (
            <Button
              key={action.integration_id}
              variant="light"
              loading={busy === `custom-${action.integration_id}`}
              onClick={() => void runCustomAction(action)}
            >
              {action.integration_name}
            </Button>
          ))}
        </Group>
      )}
      <div aria-live="polite">
        {done && (
          <Text size="sm" c="green.8" role="status">
            {done}
          </Text>
        )}
      </div>
      {actionError && (
        <Alert
          color="red"
          title="That did not work"
          role="alert"
          withCloseButton
          onClose={() => setActionError(undefined)}
        >
          {actionError}
        </Alert>
      )}
      {loadError && (
        <Alert color="yellow" role="status">
          The page could not refresh: {loadError}
        </Alert>
      )}
      {closed && openPublications.length > 0 && (
        <Alert color="orange" title="The public event is still open" data-testid="public-still-open">
          Customers still read “{STATUS_WORDS[openPublications[0]!.status] ?? openPublications[0]!.status}” on{' '}
          {openPublications.map((p) => p.page_name).join(', ')} though this incident is resolved.{' '}
          <Button size="compact-sm" loading={busy === 'public'} onClick={() => void resolvePublicNow()}>
            Resolve the public event
          </Button>
        </Alert>
      )}

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Stack gap="md">
            {incident.description && (
              <Card withBorder>
                <Title order={3} size="h5" mb="xs">
                  Description
                </Title>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  {incident.description}
                </Text>
              </Card>
            )}
            <Card withBorder component="section" aria-labelledby="timeline-title">
              <Title order={3} size="h5" mb="sm" id="timeline-title">
                Timeline
              </Title>
              <form onSubmit={submitComment}>
                <Stack gap="xs" mb="md">
                  <Textarea
                    label="Comment"
                    placeholder="What did you find, what are you trying?"
                    autosize
                    minRows={2}
                    error={commentChecks.error('comment', comment)}
                    value={comment}
                    onChange={(e) => setComment(e.currentTarget.value)}
                  />
                  <Group justify="flex-end">
                    <Button type="submit" size="xs" disabled={!comment.trim()} loading={busy === 'comment'}>
                      Add comment
                    </Button>
                  </Group>
                </Stack>
              </form>
              <Timeline bulletSize={12} lineWidth={2} aria-label="Timeline entries">
                {feed.map((entry) => (
                  <Timeline.Item
                    key={`${entry.ref_id}-${entry.created_at}-${entry.type}`}
                    data-feed-type={entry.type}
                  >
                    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                      {describeFeedEntry(entry, name)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {time(entry.created_at)}
                    </Text>
                  </Timeline.Item>
                ))}
              </Timeline>
            </Card>
            <Card withBorder component="section" aria-labelledby="alerts-title">
              <Title order={3} size="h5" mb="sm" id="alerts-title">
                Alerts ({incident.active_alert_cnt} active of {incident.alert_cnt})
              </Title>
              <Table.ScrollContainer minWidth={320}>
                <Table verticalSpacing={4} aria-label="Alerts">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Severity</Table.Th>
                      <Table.Th>Title</Table.Th>
                      <Table.Th visibleFrom="sm">Integration</Table.Th>
                      <Table.Th visibleFrom="sm">Last event</Table.Th>
                      <Table.Th>Events</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {alerts.map((alert) => {
                      const open = openAlerts.has(alert.alert_id);
                      const toggle = () => {
                        const next = new Set(openAlerts);
                        if (open) next.delete(alert.alert_id);
                        else next.add(alert.alert_id);
                        setOpenAlerts(next);
                      };
                      return (
                        <Fragment key={alert.alert_id}>
                          <Table.Tr>
                            <Table.Td>
                              <SeverityBadge
                                severity={alert.alert_status === 'Ok' ? 'Ok' : alert.alert_severity}
                              />
                            </Table.Td>
                            <Table.Td style={{ overflowWrap: 'anywhere' }}>
                              {alert.title}
                              <Text size="xs" c="dimmed" data-why={alert.alert_id}>
                                {why.get(alert.alert_id)}
                              </Text>
                            </Table.Td>
                            <Table.Td visibleFrom="sm">{alert.integration_name || '—'}</Table.Td>
                            <Table.Td visibleFrom="sm">{time(alert.last_time * 1000)}</Table.Td>
                            <Table.Td>
                              <Button
                                variant="subtle"
                                size="compact-sm"
                                aria-expanded={open}
                                aria-controls={`events-${alert.alert_id}`}
                                aria-label={`${alert.event_cnt} event${alert.event_cnt === 1 ? '' : 's'} of ${alert.title}`}
                                onClick={toggle}
                              >
                                {alert.event_cnt} {open ? '▴' : '▾'}
                              </Button>
                            </Table.Td>
                          </Table.Tr>
                          {open && (
                            <Table.Tr id={`events-${alert.alert_id}`}>
                              <Table.Td colSpan={5}>
                                <Stack gap={4}>
                                  {(alert.events ?? []).map((event) => (
                                    <Group key={event.event_id} gap="xs" wrap="nowrap" align="flex-start">
                                      <SeverityBadge
                                        severity={event.event_status === 'Ok' ? 'Ok' : event.event_severity}
                                      />
                                      <Text size="xs" c="dimmed" miw="max-content">
                                        {time(event.event_time * 1000)}
                                      </Text>
                                      <Text size="xs" style={{ overflowWrap: 'anywhere' }}>
                                        {event.title}
                                      </Text>
                                    </Group>
                                  ))}
                                </Stack>
                              </Table.Td>
                            </Table.Tr>
                          )}
                        </Fragment>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              {alerts.length === 0 && (
                <Text size="sm" c="dimmed">
                  No alert is grouped here: the incident was created by hand.
                </Text>
              )}
            </Card>
            <Card withBorder component="section" aria-labelledby="deliveries-title">
              <Title order={3} size="h5" mb="sm" id="deliveries-title">
                Notifications
              </Title>
              <WhyNotNotified
                feed={feed}
                nobody={typeof deliveries !== 'string' && deliveries.length === 0}
                name={name}
                me={member.member_id}
              />
              {typeof deliveries === 'string' ? (
                <Text size="sm" c="dimmed">
                  {deliveries}
                </Text>
              ) : deliveries.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No one has been notified of this incident. Its channel's escalation rule notifies people;
                  reassign it or add a responder to notify someone now.
                </Text>
              ) : (
                <DeliveryLog deliveries={deliveries} name={name} time={time} />
              )}
            </Card>
            <Card withBorder component="section" aria-labelledby="changes-title">
              <Title order={3} size="h5" mb="sm" id="changes-title">
                Related changes
              </Title>
              {typeof changes === 'string' ? (
                <Text size="sm" c="dimmed">
                  {changes}
                </Text>
              ) : changes.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No change (deploy, configuration) shortly before it shares its labels. Push changes to a
                  change integration to see them here.
                </Text>
              ) : (
                <Stack gap={6}>
                  {changes.map((change) => (
                    <div key={change.change_id}>
                      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                        {change.link ? (
                          <Anchor href={change.link} target="_blank" rel="noreferrer">
                            {change.title}
                          </Anchor>
                        ) : (
                          change.title
                        )}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {time(change.start_time * 1000)} ·{' '}
                        {formatDuration(0, change.correlation.seconds_before * 1000)} before ·{' '}
                        {Object.entries(change.correlation.matched_labels)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(', ') || 'no shared labels'}
                      </Text>
                    </div>
                  ))}
                </Stack>
              )}
            </Card>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Card withBorder component="section" aria-labelledby="details-title">
            <Title order={3} size="h5" mb="sm" id="details-title">
              Details
            </Title>
            <Stack gap={6}>
              <Field label="Channel">{incident.channel_name || '—'}</Field>
              <Field label="Started">
                {time(incident.start_time * 1000)} ({formatDuration(incident.start_time * 1000, Date.now())}{' '}
                ago)
              </Field>
              <Field label="Acknowledged">{time(incident.ack_time * 1000)}</Field>
              <Field label="Closed">
                {time(incident.close_time * 1000)}
                {incident.closer ? ` by ${incident.closer.person_name}` : ''}
              </Field>
              <Field label="Assigned to">
                {(incident.assigned_to.person_ids ?? []).map(name).join(', ') || 'No one'}
                {incident.assigned_to.escalate_rule_name
                  ? ` (rule ${incident.assigned_to.escalate_rule_name})`
                  : ''}
              </Field>
              <Field label="Responders">
                {incident.responders.length === 0
                  ? 'None yet'
                  : incident.responders
                      .map(
                        (r) =>
                          `${r.person_name ?? name(r.person_id)}${r.acknowledged_at ? ' (acknowledged)' : ''}`,
                      )
                      .join(', ')}
              </Field>
              {publications.length > 0 && (
                <Field label="Status page">
                  <Stack gap={2}>
                    {publications.map((p) => (
                      <div key={`${p.page_id}-${p.change_id}`}>
                        <Anchor href={p.url} target="_blank" rel="noreferrer">
                          {p.title}
                        </Anchor>{' '}
                        on {p.page_name}:{' '}
                        <Badge
                          size="sm"
                          variant="light"
                          color={p.status === '' ? 'gray' : ENDED.has(p.status) ? 'green' : 'orange'}
                        >
                          {p.status === '' ? 'unknown' : (STATUS_WORDS[p.status] ?? p.status)}
                        </Badge>
                      </div>
                    ))}
                  </Stack>
                </Field>
              )}
              {incident.root_cause && <Field label="Root cause">{incident.root_cause}</Field>}
              {incident.resolution && <Field label="Resolution">{incident.resolution}</Field>}
              <Field label="Labels">
                {labels.length === 0 ? (
                  'None'
                ) : (
                  <Group gap={4} mt={2}>
                    {labels.map(([k, v]) => (
                      <Badge key={k} variant="outline" color="gray" tt="none" style={{ maxWidth: '100%' }}>
                        {k}={v}
                      </Badge>
                    ))}
                  </Group>
                )}
              </Field>
            </Stack>
          </Card>
        </Grid.Col>
      </Grid>

      {dialog && (
        <Suspense fallback={<Loader size="sm" aria-label="Loading the dialog" />}>
          <IncidentActionDialog
            kind={dialog}
            incident={incident}
            onClose={() => setDialog(undefined)}
            onDone={(message, goTo) => {
              setDialog(undefined);
              setActionError(undefined);
              setDone(message);
              if (goTo) navigate(goTo);
              else void refresh();
            }}
          />
        </Suspense>
      )}

      <Modal opened={editing !== undefined} onClose={() => setEditing(undefined)} title="Edit the incident">
        {editing && (
          <form onSubmit={submitEdit}>
            <Stack>
              {actionError && (
                <Alert color="red" role="alert">
                  {actionError}
                </Alert>
              )}
              <TextInput
                label="Title"
                value={editing.title}
                onChange={(e) => setEditing({ ...editing, title: e.currentTarget.value })}
              />
              <Select
                label="Severity"
                data={['Critical', 'Warning', 'Info']}
                allowDeselect={false}
                value={editing.severity}
                onChange={(value) => value && setEditing({ ...editing, severity: value as Severity })}
              />
              <Textarea
                label="Description"
                autosize
                minRows={3}
                value={editing.description}
                onChange={(e) => setEditing({ ...editing, description: e.currentTarget.value })}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setEditing(undefined)}>
                  Cancel
                </Button>
                <Button type="submit" loading={busy === 'edit'}>
                  Save
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>

      <Modal opened={resolving} onClose={() => setResolving(false)} title="Resolve the incident">
        <form onSubmit={submitResolve}>
          <Stack>
            <Textarea
              label="Root cause"
              autosize
              minRows={2}
              error={resolveChecks.error('rootCause', rootCause)}
              value={rootCause}
              onChange={(e) => setRootCause(e.currentTarget.value)}
            />
            <Textarea
              label="Resolution"
              autosize
              minRows={2}
              error={resolveChecks.error('resolution', resolution)}
              value={resolution}
              onChange={(e) => setResolution(e.currentTarget.value)}
            />
            {openPublications.length > 0 && (
              <>
                <Checkbox
                  label={`Also resolve the public event on ${openPublications.map((p) => p.page_name).join(', ')} (its components back to operational)`}
                  checked={resolvePublic}
                  onChange={(e) => setResolvePublic(e.currentTarget.checked)}
                />
                {resolvePublic && (
                  <Textarea
                    label="Message to customers"
                    autosize
                    minRows={2}
                    error={publicChecks.error('message', publicMessage)}
                    value={publicMessage}
                    onChange={(e) => setPublicMessage(e.currentTarget.value)}
                  />
                )}
              </>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setResolving(false)}>
                Cancel
              </Button>
              <Button type="submit" color="green" loading={busy === 'resolve'}>
                Resolve
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={500}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}
