import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Chip,
  Group,
  Loader,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'wouter';
import { api, describeError } from '../api.ts';
import { GetStartedReminder } from '../components/GetStartedReminder.tsx';
import { filtersFromSearch, filtersToSearch, type IncidentFilters, listRequest } from '../filters.ts';
import { formatDuration, formatTime } from '../format.ts';
import { useLiveRefresh } from '../live.ts';
import { useSession } from '../session.tsx';
import type { Channel, IncidentPage, Progress, Severity } from '../types.ts';
import { ProgressBadge, SeverityBadge } from '../ui.tsx';
import { BulkActionBar, type BulkOutcome } from './BulkActions.tsx';

const DateRange = lazy(() => import('../DateRange.tsx'));

/** How often the list refreshes itself while the live stream is down. */
const POLL_MS = 5_000;
const PAGE = 50;
const PRESETS = [
  { label: '24 h', value: '24' },
  { label: '7 days', value: '168' },
  { label: '31 days', value: '744' },
  { label: 'Dates', value: 'days' },
];

export function IncidentListPage() {
  const { member, timeZone } = useSession();
  // The filters live in the address (a reload keeps them, a link shares them).
  const [initial] = useState(() => filtersFromSearch(window.location.search));
  const [filters, setFilters] = useState<IncidentFilters>(initial);
  const [search, setSearch] = useState(initial.query);
  const [query] = useDebouncedValue(search, 300);
  const [limit, setLimit] = useState(PAGE);
  const [page, setPage] = useState<IncidentPage>();
  const [error, setError] = useState<string>();
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [channels, setChannels] = useState<Channel[]>();
  // Selected incidents by id; only rows still listed stay selected.
  const [selection, setSelection] = useState<ReadonlySet<string>>(new Set());
  const [outcome, setOutcome] = useState<BulkOutcome>();
  const seq = useRef(0);

  const effective: IncidentFilters = { ...filters, query };
  const address = filtersToSearch({ ...filters, query: search });
  useEffect(() => {
    if (address !== window.location.search) {
      window.history.replaceState(window.history.state, '', `${window.location.pathname}${address}`);
    }
  }, [address]);
  const context = { memberId: member.member_id, timeZone, limit };
  // The filters' content (at a fixed instant): a new key means a new search; polling reuses it.
  const key = JSON.stringify(listRequest(effective, { ...context, nowMs: 0 }));
  const latest = useRef({ effective, context });
  latest.current = { effective, context };

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the filters, read from `latest`
  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const { effective: current, context: now } = latest.current;
      const result = await api.post<IncidentPage>(
        '/incident/list',
        listRequest(current, { ...now, nowMs: Date.now() }),
      );
      if (mine !== seq.current) return; // a newer request (new filters) answers instead
      setPage(result);
      setError(undefined);
      setUpdatedAt(Date.now());
    } catch (caught) {
      if (mine === seq.current) setError(describeError(caught));
    }
  }, [key]);

  useEffect(() => {
    void refresh();
  }, [refresh]);
  // Any change of the account's incidents may add, drop or reorder rows: reload on each.
  const live = useLiveRefresh(refresh, { pollMs: POLL_MS });

  useEffect(() => {
    api.post<{ items: Channel[] }>('/channel/list', { limit: 100, orderby: 'channel_name', asc: true }).then(
      (result) => setChannels(result.items),
      () => setChannels([]), // without Channels Read the filter is left out
    );
  }, []);

  const set = (change: Partial<IncidentFilters>) => {
    setLimit(PAGE);
    setFilters((current) => ({ ...current, ...change }));
  };
  const visible = page?.items ?? [];
  const selected = visible.filter((i) => selection.has(i.incident_id));
  const allSelected = visible.length > 0 && selected.length === visible.length;
  const toggle = (id: string, on: boolean) =>
    setSelection((current) => {
      const next = new Set(current);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const onBulkDone = (result: BulkOutcome) => {
    setOutcome(result);
    if (result.kind === 'done') setSelection(new Set());
    void refresh();
  };
  const preset = filters.range.kind === 'last' ? String(filters.range.hours) : 'days';

  return (
    <Stack gap="md">
      <GetStartedReminder />
      <Group justify="space-between" align="baseline">
        <Title order={2}>Incidents</Title>
        <Text size="sm" c="dimmed" aria-live="polite">
          {updatedAt
            ? `${live === 'live' ? 'Live' : `Refreshing every ${POLL_MS / 1000} s`} · updated ${formatTime(
                updatedAt,
                timeZone,
                member.locale || 'en-US',
              )
                .split(', ')
                .at(-1)}`
            : ''}
        </Text>
      </Group>

      <Stack gap="xs" component="section" aria-label="Filters">
        <Group gap="md" wrap="wrap">
          <TextInput
            aria-label="Search incidents"
            placeholder="Search title, description, labels"
            value={search}
            onChange={(e) => {
              setLimit(PAGE);
              setSearch(e.currentTarget.value);
            }}
            w={{ base: '100%', sm: 320 }}
          />
          {channels && channels.length > 0 && (
            <Select
              aria-label="Channel"
              placeholder="All channels"
              clearable
              searchable
              data={channels.map((c) => ({ value: String(c.channel_id), label: c.channel_name }))}
              value={filters.channelId === undefined ? null : String(filters.channelId)}
              onChange={(value) => set({ channelId: value ? Number(value) : undefined })}
              w={{ base: '100%', sm: 220 }}
            />
          )}
          <Switch
            label="Mine"
            description="I am a responder"
            checked={filters.mine}
            onChange={(e) => set({ mine: e.currentTarget.checked })}
          />
        </Group>
        <Group gap="md" wrap="wrap">
          <Chip.Group multiple value={filters.progress} onChange={(v) => set({ progress: v as Progress[] })}>
            <Group gap={6} role="group" aria-label="Progress">
              <Chip value="Triggered" size="sm">
                Open
              </Chip>
              <Chip value="Processing" size="sm">
                Acknowledged
              </Chip>
              <Chip value="Closed" size="sm">
                Closed
              </Chip>
            </Group>
          </Chip.Group>
          <Chip.Group
            multiple
            value={filters.severities}
            onChange={(v) => set({ severities: v as Severity[] })}
          >
            <Group gap={6} role="group" aria-label="Severity">
              <Chip value="Critical" size="sm" color="red">
                Critical
              </Chip>
              <Chip value="Warning" size="sm" color="orange">
                Warning
              </Chip>
              <Chip value="Info" size="sm">
                Info
              </Chip>
            </Group>
          </Chip.Group>
          <SegmentedControl
            aria-label="Time range"
            size="xs"
            data={PRESETS}
            value={preset}
            onChange={(value) => {
              if (value !== 'days') set({ range: { kind: 'last', hours: Number(value) } });
              else set({ range: { kind: 'days', from: today(timeZone), to: today(timeZone) } });
            }}
          />
          {filters.range.kind === 'days' && (
            <Suspense fallback={<Loader size="xs" aria-label="Loading the calendar" />}>
              <DateRange
                value={[filters.range.from, filters.range.to]}
                maxDate={today(timeZone)}
                onChange={(from, to) => set({ range: { kind: 'days', from, to } })}
              />
            </Suspense>
          )}
        </Group>
      </Stack>

      {error && (
        <Alert color="red" title="The incidents could not be loaded" role="alert">
          {error}
        </Alert>
      )}
      {outcome && (
        <Alert
          color={outcome.kind === 'done' ? 'green' : 'red'}
          role={outcome.kind === 'done' ? 'status' : 'alert'}
          withCloseButton
          closeButtonLabel="Dismiss"
          onClose={() => setOutcome(undefined)}
        >
          {outcome.message}
        </Alert>
      )}
      {selected.length > 0 && (
        <BulkActionBar selected={selected} onClear={() => setSelection(new Set())} onDone={onBulkDone} />
      )}
      {!page && !error && <Loader aria-label="Loading incidents" />}
      {page && page.items.length === 0 && (
        <Alert color="gray" title="No incidents match">
          Nothing is open in this window. Widen the time range, clear a filter, or send a test alert to an
          integration's push URL.
        </Alert>
      )}
      {page && page.items.length > 0 && (
        <>
          <Table.ScrollContainer minWidth={360}>
            <Table highlightOnHover verticalSpacing="xs" aria-label="Incidents">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36}>
                    <Checkbox
                      aria-label="Select all incidents on this page"
                      checked={allSelected}
                      indeterminate={selected.length > 0 && !allSelected}
                      onChange={(e) =>
                        setSelection(
                          e.currentTarget.checked ? new Set(visible.map((i) => i.incident_id)) : new Set(),
                        )
                      }
                    />
                  </Table.Th>
                  <Table.Th>Severity</Table.Th>
                  <Table.Th>Title</Table.Th>
                  <Table.Th visibleFrom="sm">Channel</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th visibleFrom="md">Started</Table.Th>
                  <Table.Th visibleFrom="md">Responders</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((incident) => (
                  <Table.Tr key={incident.incident_id} data-incident-id={incident.incident_id}>
                    <Table.Td>
                      <Checkbox
                        aria-label={`Select #${incident.num} ${incident.title}`}
                        checked={selection.has(incident.incident_id)}
                        onChange={(e) => toggle(incident.incident_id, e.currentTarget.checked)}
                      />
                    </Table.Td>
                    <Table.Td>
                      <SeverityBadge severity={incident.incident_severity} />
                    </Table.Td>
                    <Table.Td>
                      <Anchor component={Link} href={`/incident/detail/${incident.incident_id}`} fw={500}>
                        {incident.title}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        #{incident.num} · {formatDuration(incident.start_time * 1000, Date.now())} ago
                      </Text>
                    </Table.Td>
                    <Table.Td visibleFrom="sm">{incident.channel_name || '—'}</Table.Td>
                    <Table.Td>
                      <ProgressBadge progress={incident.progress} />
                    </Table.Td>
                    <Table.Td visibleFrom="md">
                      {formatTime(incident.start_time * 1000, timeZone, member.locale || 'en-US')}
                    </Table.Td>
                    <Table.Td visibleFrom="md">
                      {incident.responders.map((r) => r.person_name ?? r.person_id).join(', ') || '—'}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {page.items.length} of {page.total}
            </Text>
            {page.has_next_page && limit < 100 && (
              <Button variant="default" onClick={() => setLimit(100)}>
                Show more
              </Button>
            )}
          </Group>
        </>
      )}
    </Stack>
  );
}

function today(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());
}
