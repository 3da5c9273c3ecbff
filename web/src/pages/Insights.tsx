import {
  Alert,
  Button,
  Chip,
  Group,
  Loader,
  MultiSelect,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import { lazy, type ReactNode, Suspense, useEffect, useMemo, useState } from 'react';
import { api, describeError } from '../api.ts';
import { ChartCard, HoursChart, IncidentsChart, RankingChart, TrendChart } from '../charts.tsx';
import {
  allowedUnits,
  bucketStarts,
  csvRowCount,
  DEFAULT_INSIGHT_FILTERS,
  effectiveUnit,
  exportFileName,
  formatBucket,
  formatPct,
  formatSeconds,
  hourLoad,
  type InsightFilters,
  type InsightUnit,
  type InsightView,
  insightFilter,
  localDate,
  MAX_RANGE_DAYS,
  type MetricRow,
  pickUnit,
  type TopkItem,
  timeSeries,
  topLabels,
} from '../insights.ts';
import { useSession } from '../session.tsx';
import type { Severity } from '../types.ts';

const DateRange = lazy(() => import('../DateRange.tsx'));

/*
 * Insights (docs/console.md, "Insights"; every metric: docs/insights.md): the account's incidents
 * over time, MTTA and MTTR trends, load by hour class and the noisiest alert labels, and the
 * per-team, per-channel and per-responder rows, with the API's filters and its CSV exports.
 */

const RANGES = [
  { label: '7 days', value: '7' },
  { label: '31 days', value: '31' },
  { label: '90 days', value: '90' },
  { label: 'Year', value: '365' },
  { label: 'Dates', value: 'days' },
];

type Row = MetricRow & Record<string, unknown>;
type Option = { value: string; label: string };

export function InsightsPage() {
  const { member, timeZone } = useSession();
  const locale = member.locale || 'en-US';
  const [view, setView] = useState<InsightView>('account');
  const [filters, setFilters] = useState<InsightFilters>(DEFAULT_INSIGHT_FILTERS);
  const [teams, setTeams] = useState<Option[]>([]);
  const [channels, setChannels] = useState<Option[]>([]);
  const [people, setPeople] = useState<Option[]>([]);

  // The window is fixed when the filters change (not on every render), so answers stay comparable.
  const filter = useMemo(() => insightFilter(filters, { nowMs: Date.now(), timeZone }), [filters, timeZone]);
  const start = filter.start_time as number;
  const end = filter.end_time as number;
  const unit = effectiveUnit(filters.unit, start, end);
  const today = localDate(Date.now(), timeZone);

  useEffect(() => {
    api
      .post<{ items: { team_id: number; team_name: string }[] }>('/team/list', {
        limit: 100,
        orderby: 'team_name',
        asc: true,
      })
      .then(
        (result) => setTeams(result.items.map((t) => ({ value: String(t.team_id), label: t.team_name }))),
        () => setTeams([]),
      );
    api
      .post<{ items: { channel_id: number; channel_name: string }[] }>('/channel/list', {
        limit: 100,
        orderby: 'channel_name',
        asc: true,
      })
      .then(
        (result) =>
          setChannels(result.items.map((c) => ({ value: String(c.channel_id), label: c.channel_name }))),
        () => setChannels([]), // without Channels Read the filter is left out
      );
    api
      .post<{ items: { member_id: number; member_name: string }[] }>('/member/list', {
        limit: 100,
        asc: true,
      })
      .then(
        (result) =>
          setPeople(result.items.map((m) => ({ value: String(m.member_id), label: m.member_name }))),
        () => setPeople([]),
      );
  }, []);

  const set = (change: Partial<InsightFilters>) => setFilters((current) => ({ ...current, ...change }));
  const preset = filters.range.kind === 'last' ? String(filters.range.days) : 'days';
  const units = allowedUnits(start, end);

  return (
    <Stack gap="md">
      <Title order={2}>Insights</Title>
      <Stack gap="xs" component="section" aria-label="Filters">
        <Group gap="md" wrap="wrap" align="center">
          <SegmentedControl
            aria-label="Time range"
            size="xs"
            data={RANGES}
            value={preset}
            onChange={(value) => {
              if (value !== 'days') set({ range: { kind: 'last', days: Number(value) } });
              else set({ range: { kind: 'days', from: today, to: today } });
            }}
          />
          {filters.range.kind === 'days' && (
            <Suspense fallback={<Loader size="xs" aria-label="Loading the calendar" />}>
              <DateRange
                value={[filters.range.from, filters.range.to]}
                maxDate={today}
                onChange={(from, to) => set({ range: { kind: 'days', from, to } })}
              />
            </Suspense>
          )}
          <SegmentedControl
            aria-label="Group by"
            size="xs"
            value={filters.unit}
            onChange={(value) => set({ unit: value as InsightFilters['unit'] })}
            data={[
              { label: `Auto (${pickUnit(start, end)})`, value: 'auto' },
              ...(['day', 'week', 'month'] as const).map((u) => ({
                label: u[0]!.toUpperCase() + u.slice(1),
                value: u,
                disabled: !units.includes(u),
              })),
            ]}
          />
        </Group>
        <Group gap="md" wrap="wrap" align="flex-end">
          {(
            [
              ['Teams', 'All teams', teams, 'teamIds'],
              ['Channels', 'All channels', channels, 'channelIds'],
              ['Responders', 'All responders', people, 'responderIds'],
            ] as const
          ).map(
            ([label, all, data, key]) =>
              data.length > 0 && (
                <MultiSelect
                  key={key}
                  aria-label={label}
                  placeholder={filters[key].length ? undefined : all}
                  data={data}
                  value={filters[key].map(String)}
                  onChange={(values) => set({ [key]: values.map(Number) })}
                  searchable
                  clearable
                  w={{ base: '100%', sm: 240 }}
                />
              ),
          )}
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
          <Switch
            label="Split by hours"
            description="work / off / sleep"
            checked={filters.splitHours}
            onChange={(e) => set({ splitHours: e.currentTarget.checked })}
          />
        </Group>
        <Text size="xs" c="dimmed">
          {localDate(start * 1000, timeZone)} to {localDate((end - 1) * 1000, timeZone)} ({timeZone}); at most{' '}
          {MAX_RANGE_DAYS} days, day buckets up to 31 days.
        </Text>
      </Stack>

      <Tabs value={view} onChange={(value) => value && setView(value as InsightView)} keepMounted={false}>
        <Tabs.List aria-label="Insight views">
          <Tabs.Tab value="account">Account</Tabs.Tab>
          <Tabs.Tab value="team">Teams</Tabs.Tab>
          <Tabs.Tab value="channel">Channels</Tabs.Tab>
          <Tabs.Tab value="responder">Responders</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="account" pt="md">
          <AccountView filter={filter} unit={unit} splitHours={filters.splitHours} locale={locale} />
        </Tabs.Panel>
        {(['team', 'channel', 'responder'] as const).map((kind) => (
          <Tabs.Panel key={kind} value={kind} pt="md">
            <BreakdownView kind={kind} filter={filter} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}

type Loaded<T> = { data?: T; error?: string; loading: boolean };

/**
 * Loads `load()` again whenever `key` changes. The last answer stays on screen while the next
 * loads (charts do not flash, an open table stays open); a stale answer never overwrites a newer
 * one, and an error replaces what was shown.
 */
function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [result, setResult] = useState<Loaded<T>>({ loading: true });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for everything `load` reads
  useEffect(() => {
    let current = true;
    setResult((previous) => ({ data: previous.data, loading: true }));
    load().then(
      (data) => current && setResult({ data, loading: false }),
      (error) => current && setResult({ error: describeError(error), loading: false }),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return result;
}

function Pending({ result, what }: { result: Loaded<unknown>; what: string }) {
  if (result.error) {
    return (
      <Alert color="red" title={`The ${what} could not be loaded`} role="alert">
        {result.error}
      </Alert>
    );
  }
  return <Loader aria-label={`Loading ${what}`} />;
}

const NO_INCIDENTS = 'No incidents in this range. Widen the time range or clear a filter.';

type AccountData = {
  totals: Row | undefined;
  series: Row[];
  hours: Row[];
  topk: TopkItem[];
  asked: {
    filter: Record<string, unknown>;
    unit: InsightUnit;
    splitHours: boolean;
    label: 'check' | 'resource';
  };
};

function AccountView(props: {
  filter: Record<string, unknown>;
  unit: InsightUnit;
  splitHours: boolean;
  locale: string;
}) {
  const { timeZone } = useSession();
  const [label, setLabel] = useState<'check' | 'resource'>('check');
  const { filter, unit, splitHours } = props;
  const post = (path: string, body: Record<string, unknown>) =>
    api.post<{ items: Row[] }>(path, { ...filter, ...body }).then((answer) => answer.items);
  const result = useLoad<AccountData>(JSON.stringify([props, label]), async () => {
    const [totals, series, hours, topk] = await Promise.all([
      post('/insight/account', {}),
      post('/insight/account', { aggregate_unit: unit, ...(splitHours ? { split_hours: true } : {}) }),
      post('/insight/account', { split_hours: true }),
      api
        .post<{ items: TopkItem[] }>('/insight/alert/topk-by-label', { ...filter, label, k: 10 })
        .then((answer) => answer.items),
    ]);
    return { totals: totals[0], series, hours, topk, asked: { filter, unit, splitHours, label } };
  });

  if (!result.data || result.error) return <Pending result={result} what="account insights" />;
  // What the answer was asked for: the filters may have changed while the next answer loads.
  const { totals, series, hours, topk, asked } = result.data;
  const start = asked.filter.start_time as number;
  const end = asked.filter.end_time as number;
  const points = timeSeries(series, bucketStarts(start, end, asked.unit, timeZone), (ts) =>
    formatBucket(ts, asked.unit, timeZone, props.locale),
  );
  const load = hourLoad(hours);
  const labels = topLabels(topk);
  const incidents = totals?.total_incident_cnt ?? 0;
  const unitWord = asked.unit;
  const split = asked.splitHours;
  const busiest = points.reduce((best, p) => (p.incidents > (best?.incidents ?? 0) ? p : best), points[0]);

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="xs">
        <Stat label="Incidents" value={String(incidents)} />
        <Stat label="Acknowledged" value={formatPct(Number(totals?.acknowledgement_pct ?? 0), incidents)} />
        <Stat
          label="MTTA"
          value={formatSeconds(
            totals?.total_incidents_acknowledged ? Number(totals.mean_seconds_to_ack) : null,
          )}
        />
        <Stat
          label="MTTR"
          value={formatSeconds(totals?.total_incidents_closed ? Number(totals.mean_seconds_to_close) : null)}
        />
        <Stat label="Interruptions" value={String(totals?.total_interruptions ?? 0)} />
        <Stat
          label="Noise reduction"
          value={formatPct(
            Number(totals?.noise_reduction_pct ?? 0),
            Number(totals?.total_alert_event_cnt ?? 0),
          )}
        />
      </SimpleGrid>
      <ExportButton
        view="incident"
        label="Export incidents (CSV)"
        path="/insight/incident/export"
        body={{ ...filter, asc: true }}
      />
      {incidents === 0 ? (
        <Alert color="gray" title="No incidents">
          {NO_INCIDENTS}
        </Alert>
      ) : (
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <ChartCard
            title="Incidents over time"
            summary={`Incidents per ${unitWord}${split ? ', by hour class' : ''}: ${incidents} in all, most on ${busiest?.label} (${busiest?.incidents}).`}
            chart={
              <IncidentsChart
                data={points}
                split={split}
                title="Incidents over time"
                desc={`Incidents per ${unitWord}, ${points.length} bars.`}
              />
            }
            table={
              <Table aria-label="Incidents over time">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{unitWord[0]!.toUpperCase() + unitWord.slice(1)}</Table.Th>
                    <Table.Th>Incidents</Table.Th>
                    {split && <Table.Th>Work</Table.Th>}
                    {split && <Table.Th>Off</Table.Th>}
                    {split && <Table.Th>Sleep</Table.Th>}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {points.map((p) => (
                    <Table.Tr key={p.ts}>
                      <Table.Td>{p.label}</Table.Td>
                      <Table.Td>{p.incidents}</Table.Td>
                      {split && <Table.Td>{p.work}</Table.Td>}
                      {split && <Table.Td>{p.off}</Table.Td>}
                      {split && <Table.Td>{p.sleep}</Table.Td>}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            }
          />
          <ChartCard
            title="MTTA and MTTR"
            summary={`Mean time to acknowledge (solid) and to close (dashed) per ${unitWord}; over the range ${formatSeconds(totals?.total_incidents_acknowledged ? Number(totals.mean_seconds_to_ack) : null)} and ${formatSeconds(totals?.total_incidents_closed ? Number(totals.mean_seconds_to_close) : null)}.`}
            chart={
              <TrendChart
                data={points}
                title="MTTA and MTTR"
                desc={`Mean time to acknowledge and to close per ${unitWord}.`}
              />
            }
            table={
              <Table aria-label="MTTA and MTTR">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{unitWord[0]!.toUpperCase() + unitWord.slice(1)}</Table.Th>
                    <Table.Th>MTTA</Table.Th>
                    <Table.Th>MTTR</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {points.map((p) => (
                    <Table.Tr key={p.ts}>
                      <Table.Td>{p.label}</Table.Td>
                      <Table.Td>{formatSeconds(p.mtta)}</Table.Td>
                      <Table.Td>{formatSeconds(p.mttr)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            }
          />
          <ChartCard
            title="Load by hour class"
            summary={`Incidents that started in work hours (workdays 08:00–19:00), off hours and sleep hours (23:00–08:00): ${load.map((h) => `${h.label.toLowerCase()} ${h.incidents}`).join(', ')}.`}
            chart={
              <HoursChart
                data={load}
                title="Load by hour class"
                desc="Incidents by the hour class they started in."
              />
            }
            table={
              <Table aria-label="Load by hour class">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Hours</Table.Th>
                    <Table.Th>Incidents</Table.Th>
                    <Table.Th>MTTA</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {load.map((h) => (
                    <Table.Tr key={h.hours}>
                      <Table.Td>{h.label}</Table.Td>
                      <Table.Td>{h.incidents}</Table.Td>
                      <Table.Td>{formatSeconds(h.mtta)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            }
          />
          <Stack gap={4}>
            <SegmentedControl
              aria-label="Alert label"
              size="xs"
              value={label}
              onChange={(value) => setLabel(value as 'check' | 'resource')}
              data={[
                { label: 'By check', value: 'check' },
                { label: 'By resource', value: 'resource' },
              ]}
              w="fit-content"
            />
            {labels.length === 0 ? (
              <Alert color="gray" title="Top noisy labels">
                No alert of these incidents has a “{asked.label}” label. Add it to the alerts (labels.
                {asked.label}) or pick the other label.
              </Alert>
            ) : (
              <ChartCard
                title="Top noisy labels"
                summary={`The ${labels.length} values of the alert label “${asked.label}” with the most alerts; the noisiest is ${labels[0]?.label} (${labels[0]?.alerts} alerts).`}
                chart={
                  <RankingChart
                    data={labels.map((l) => ({ name: l.label, value: l.alerts }))}
                    valueName="Alerts"
                    title="Top noisy labels"
                    desc={`Alerts per value of the label ${asked.label}.`}
                  />
                }
                table={
                  <Table aria-label="Top noisy labels">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{asked.label}</Table.Th>
                        <Table.Th>Alerts</Table.Th>
                        <Table.Th>Alert events</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {labels.map((l) => (
                        <Table.Tr key={l.label}>
                          <Table.Td style={{ overflowWrap: 'anywhere' }}>{l.label}</Table.Td>
                          <Table.Td>{l.alerts}</Table.Td>
                          <Table.Td>{l.events}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                }
              />
            )}
          </Stack>
        </SimpleGrid>
      )}
    </Stack>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="xs" role="group" aria-label={label}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} size="lg">
        {value}
      </Text>
    </Paper>
  );
}

type Column = { title: string; cell: (row: Row) => ReactNode; wide?: boolean };

const seconds = (key: string, count: string) => (row: Row) =>
  formatSeconds(Number(row[count]) ? Number(row[key]) : null);
const pct = (row: Row) => formatPct(Number(row.acknowledgement_pct), row.total_incident_cnt);

const BREAKDOWN: Record<
  'team' | 'channel' | 'responder',
  { tab: string; noun: string; name: (row: Row) => string; columns: Column[] }
> = {
  team: {
    tab: 'Teams',
    noun: 'team',
    name: (row) => String(row.team_name || `Team ${row.team_id}`),
    columns: [
      { title: 'Incidents', cell: (row) => row.total_incident_cnt },
      { title: 'Acknowledged', cell: pct },
      { title: 'MTTA', cell: seconds('mean_seconds_to_ack', 'total_incidents_acknowledged') },
      { title: 'MTTR', cell: seconds('mean_seconds_to_close', 'total_incidents_closed'), wide: true },
      { title: 'Escalated', cell: (row) => Number(row.total_incidents_escalated), wide: true },
      { title: 'Interruptions', cell: (row) => Number(row.total_interruptions), wide: true },
    ],
  },
  channel: {
    tab: 'Channels',
    noun: 'channel',
    name: (row) => String(row.channel_name || `Channel ${row.channel_id}`),
    columns: [
      { title: 'Team', cell: (row) => String(row.team_name || '—'), wide: true },
      { title: 'Incidents', cell: (row) => row.total_incident_cnt },
      { title: 'Acknowledged', cell: pct },
      { title: 'MTTA', cell: seconds('mean_seconds_to_ack', 'total_incidents_acknowledged') },
      { title: 'MTTR', cell: seconds('mean_seconds_to_close', 'total_incidents_closed'), wide: true },
      {
        title: 'Noise reduction',
        cell: (row) => formatPct(Number(row.noise_reduction_pct), Number(row.total_alert_event_cnt)),
        wide: true,
      },
    ],
  },
  responder: {
    tab: 'Responders',
    noun: 'responder',
    name: (row) => String(row.responder_name || `Person ${row.responder_id}`),
    columns: [
      { title: 'Incidents', cell: (row) => row.total_incident_cnt },
      { title: 'Acknowledged', cell: pct },
      { title: 'MTTA', cell: seconds('mean_seconds_to_ack', 'total_incidents_acknowledged') },
      { title: 'Interruptions', cell: (row) => Number(row.total_interruptions), wide: true },
      {
        title: 'Engaged',
        cell: (row) => formatSeconds(Number(row.total_engaged_seconds)),
        wide: true,
      },
    ],
  },
};

function BreakdownView({
  kind,
  filter,
}: {
  kind: 'team' | 'channel' | 'responder';
  filter: Record<string, unknown>;
}) {
  const config = BREAKDOWN[kind];
  const result = useLoad<Row[]>(JSON.stringify([kind, filter]), () =>
    api.post<{ items: Row[] }>(`/insight/${kind}`, filter).then((answer) => answer.items),
  );
  if (!result.data || result.error) return <Pending result={result} what={`${config.noun} insights`} />;
  const rows = [...result.data].sort((a, b) => b.total_incident_cnt - a.total_incident_cnt);
  const ranked = rows
    .slice(0, 10)
    .map((row) => ({ name: config.name(row), incidents: row.total_incident_cnt }));
  const title = `Incidents by ${config.noun}`;
  return (
    <Stack gap="md">
      <ExportButton
        view={kind}
        label={`Export ${config.tab.toLowerCase()} (CSV)`}
        path={`/insight/${kind}/export`}
        body={filter}
      />
      {rows.length === 0 ? (
        <Alert color="gray" title={`No ${config.noun} had incidents`}>
          {NO_INCIDENTS}
        </Alert>
      ) : (
        <>
          <ChartCard
            title={title}
            summary={
              ranked.length === 1
                ? `One ${config.noun} had incidents: ${ranked[0]?.name}, ${ranked[0]?.incidents}.`
                : `The ${ranked.length} ${config.tab.toLowerCase()} with the most incidents; ${ranked[0]?.name} leads with ${ranked[0]?.incidents}. Every ${config.noun}: the table below.`
            }
            chart={
              <RankingChart
                data={ranked.map((r) => ({ name: r.name, value: r.incidents }))}
                valueName="Incidents"
                title={title}
                desc={`Incidents per ${config.noun}, the ${ranked.length} busiest.`}
              />
            }
            table={
              <Table aria-label={`${title}, busiest`}>
                <Table.Tbody>
                  {ranked.map((r) => (
                    <Table.Tr key={r.name}>
                      <Table.Td>{r.name}</Table.Td>
                      <Table.Td>{r.incidents}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            }
          />
          <Table.ScrollContainer minWidth={320}>
            <Table aria-label={config.tab} highlightOnHover verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{config.noun[0]!.toUpperCase() + config.noun.slice(1)}</Table.Th>
                  {config.columns.map((c) => (
                    <Table.Th key={c.title} visibleFrom={c.wide ? 'sm' : undefined}>
                      {c.title}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row) => (
                  <Table.Tr key={config.name(row)}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{config.name(row)}</Table.Td>
                    {config.columns.map((c) => (
                      <Table.Td key={c.title} visibleFrom={c.wide ? 'sm' : undefined}>
                        {c.cell(row)}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}

/** Downloads one of the API's CSV exports with the session, and says what was saved (or why not). */
function ExportButton(props: { view: string; label: string; path: string; body: Record<string, unknown> }) {
  const { timeZone } = useSession();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const download = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const blob = await api.file(props.path, props.body);
      const name = exportFileName(
        props.view,
        props.body.start_time as number,
        props.body.end_time as number,
        timeZone,
      );
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      const rows = csvRowCount(await blob.text());
      setMessage({ ok: true, text: `Saved ${name} (${rows} ${rows === 1 ? 'row' : 'rows'}).` });
    } catch (error) {
      setMessage({ ok: false, text: describeError(error) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Group gap="sm" wrap="wrap">
      <Button variant="default" size="xs" loading={busy} onClick={() => void download()}>
        {props.label}
      </Button>
      <Text
        size="sm"
        role={message && !message.ok ? 'alert' : 'status'}
        c={message?.ok === false ? 'red.8' : undefined}
      >
        {message?.text ?? ''}
      </Text>
    </Group>
  );
}
