import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Chip,
  Group,
  Loader,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { ConfirmModal } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { type ApiShift, type CalculatedLayer, ScheduleTimeline } from '../ScheduleTimeline.tsx';
import {
  type ApiLayer,
  clockOf,
  formFromSchedule,
  newKey,
  newRotation,
  type Override,
  type RestrictPeriod,
  type Rotation,
  type RotationUnit,
  type ScheduleForm,
  secondsOf,
  upsertBody,
  WEEK_FROM_MONDAY,
  weeklyCycle,
  withHandoff,
} from '../schedule-form.ts';
import { useSession } from '../session.tsx';
import {
  addDays,
  dateIn,
  describeRange,
  fromLocalInput,
  type GridLine,
  gridLines,
  type Range,
  SPAN_DAYS,
  type Span,
  startOfDate,
  timeZones,
  toLocalInput,
  windowOf,
} from '../timeline.ts';

type ScheduleItem = {
  schedule_id: number;
  schedule_name: string | null;
  description: string | null;
  team_id: number | null;
  time_zone: string;
  layers: ApiLayer[];
};
type Oncall = { start: number; end: number; group: { members: { person_ids: number[] }[] } };
type Computed = {
  schedule_layers: CalculatedLayer[];
  final_schedule: { schedules: ApiShift[] };
  cur_oncall: Oncall;
  next_oncall: Oncall;
};
type Option = { value: string; label: string };

const UNITS: { value: RotationUnit; label: string }[] = [
  { value: 'hour', label: 'hours' },
  { value: 'day', label: 'days' },
  { value: 'week', label: 'weeks' },
  { value: 'month', label: 'months' },
];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const SPANS: { value: Span; label: string }[] = [
  { value: 'day', label: '1 day' },
  { value: 'week', label: '1 week' },
  { value: 'two-weeks', label: '2 weeks' },
];
const HOUR = 3_600_000;

async function allMembers(): Promise<Option[]> {
  const out: Option[] = [];
  for (let p = 1; p <= 10; p++) {
    const page = await api.post<{ items: { member_id: number; member_name: string }[]; total: number }>(
      '/member/list',
      { p, limit: 100, asc: true },
    );
    out.push(...page.items.map((m) => ({ value: String(m.member_id), label: m.member_name })));
    if (out.length >= page.total || page.items.length === 0) break;
  }
  return out;
}

/**
 * One schedule (or a new one): a timeline of who is on call, and the editor of its layers and
 * overrides. While editing, the timeline shows the unsaved schedule (/schedule/preview).
 */
export function ScheduleDetailPage({ scheduleId }: { scheduleId?: number }) {
  const checks = useChecks('/schedule/create', { name: 'schedule_name', description: 'description' });
  const { member, timeZone } = useSession();
  const locale = member.locale || 'en-US';
  const [, navigate] = useLocation();
  const [form, setForm] = useState<ScheduleForm>();
  const [savedForm, setSavedForm] = useState<ScheduleForm>();
  const [loadError, setLoadError] = useState<string>();
  const [people, setPeople] = useState<Option[]>([]);
  const [teams, setTeams] = useState<Option[]>([]);
  const [from, setFrom] = useState(() => dateIn(Date.now(), timeZone));
  const [span, setSpan] = useState<Span>('week');
  // The answer with the window it was computed for, so a new window never draws an old answer.
  const [computed, setComputed] = useState<Computed & { window: Range; lines: GridLine[] }>();
  const [previewError, setPreviewError] = useState<string>();
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  useEffect(() => {
    let live = true;
    Promise.all([
      allMembers(),
      api.post<{ items: { team_id: number; team_name: string }[] }>('/team/list', { limit: 100, asc: true }),
    ])
      .then(([members, teamList]) => {
        if (!live) return;
        setPeople(members);
        setTeams(teamList.items.map((t) => ({ value: String(t.team_id), label: t.team_name })));
      })
      .catch((caught) => live && setLoadError(describeError(caught)));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    let live = true;
    if (scheduleId === undefined) {
      const zone = timeZone;
      const blank: ScheduleForm = {
        name: '',
        description: '',
        teamId: 0,
        timeZone: zone,
        rotations: [newRotation(0, startOfDate(dateIn(Date.now(), zone), zone))],
        overrides: [],
      };
      setForm(blank);
      setSavedForm(undefined);
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    api
      .post<ScheduleItem>('/schedule/info', { schedule_id: scheduleId, start: now, end: now + 3600 })
      .then((item) => {
        if (!live) return;
        const loaded = formFromSchedule(item);
        setForm(loaded);
        setSavedForm(loaded);
        setLoadError(undefined);
      })
      .catch((caught) => live && setLoadError(describeError(caught)));
    return () => {
      live = false;
    };
  }, [scheduleId, timeZone]);

  // The preview speaks the schedule's zone, as its form does; the viewer's zone is on hover.
  const shown = form?.timeZone ?? timeZone;
  const window = useMemo(() => windowOf(from, span, shown), [from, span, shown]);
  const lines = useMemo(() => gridLines(from, span, shown, locale), [from, span, shown, locale]);
  const [debouncedForm] = useDebouncedValue(form, 300);
  const previewRun = useRef(0);

  const savedBody = savedForm && JSON.stringify(upsertBody(savedForm));

  useEffect(() => {
    if (!debouncedForm) return;
    const run = ++previewRun.current;
    const body = upsertBody(debouncedForm);
    const start = Math.floor(window.start / 1000);
    const end = Math.floor(window.end / 1000);
    // Unchanged: the stored schedule as is (it may still name a member deleted since, which an
    // edit must drop). Changed or new: the preview, validated like the save.
    const unchanged = scheduleId !== undefined && JSON.stringify(body) === savedBody;
    (unchanged
      ? api.post<Computed>('/schedule/info', { schedule_id: scheduleId, start, end })
      : api.post<Computed>('/schedule/preview', {
          time_zone: body.time_zone,
          layers: body.layers,
          start,
          end,
        })
    )
      .then((result) => {
        if (run !== previewRun.current) return;
        setComputed({ ...result, window, lines });
        setPreviewError(undefined);
      })
      .catch((caught) => run === previewRun.current && setPreviewError(describeError(caught)));
  }, [debouncedForm, window, lines, scheduleId, savedBody]);

  if (!form) {
    return loadError ? (
      <Alert color="red" title="This schedule could not be loaded" role="alert">
        {loadError} <Link href="/schedules">Back to the schedules.</Link>
      </Alert>
    ) : (
      <Loader aria-label="Loading the schedule" />
    );
  }

  const dirty = savedBody === undefined || JSON.stringify(upsertBody(form)) !== savedBody;
  const nameOf = (id: number) => people.find((p) => p.value === String(id))?.label ?? `#${id}`;
  // People the schedule names who are no longer members: shown, so an edit can take them out.
  const named = new Set(
    [
      ...form.rotations.flatMap((r) => r.turns.flatMap((t) => t.people)),
      ...form.overrides.flatMap((o) => o.people),
    ].map(String),
  );
  const options = [
    ...people,
    ...[...named]
      .filter((id) => people.length > 0 && !people.some((p) => p.value === id))
      .map((id) => ({ value: id, label: `#${id} (not a member)` })),
  ];
  const zone = form.timeZone;
  const set = (patch: Partial<ScheduleForm>) => {
    setForm({ ...form, ...patch });
    setDone(undefined);
  };
  const setRotation = (key: string, patch: Partial<Rotation>) =>
    set({ rotations: form.rotations.map((r) => (r.key === key ? { ...r, ...patch } : r)) });

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const body = upsertBody(form);
      if (scheduleId === undefined) {
        const { schedule_id } = await api.post<{ schedule_id: number }>('/schedule/create', body);
        setDone('Schedule created.');
        navigate(`/schedules/${schedule_id}`, { replace: true });
      } else {
        await api.post('/schedule/update', { schedule_id: scheduleId, ...body });
        setSavedForm(form);
        setDone('Schedule saved.');
      }
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api.post('/schedule/delete', { schedule_ids: [scheduleId] });
      navigate('/schedules');
    } catch (caught) {
      setError(describeError(caught));
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  };

  const oncallNames = (oncall: Oncall) =>
    oncall.group.members
      .flatMap((m) => m.person_ids)
      .map(nameOf)
      .join(', ') || 'Nobody';

  return (
    <Stack gap="md">
      <Anchor component={Link} href="/schedules" size="sm">
        ← Schedules
      </Anchor>
      <Group gap="sm" wrap="wrap">
        <Title order={2} style={{ overflowWrap: 'anywhere' }}>
          {scheduleId === undefined ? 'New schedule' : (savedForm?.name ?? form.name)}
        </Title>
        {dirty && (
          <Badge color="yellow" variant="light">
            {scheduleId === undefined ? 'Not saved yet' : 'Unsaved changes'}
          </Badge>
        )}
      </Group>

      <Card withBorder padding="sm" component="section" aria-labelledby="timeline-title">
        <Stack gap="xs">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Title order={3} size="h5" id="timeline-title">
              {dirty ? 'Preview: who would be on call' : 'Who is on call'}
            </Title>
            <SegmentedControl
              aria-label="Timeline length"
              size="xs"
              data={SPANS}
              value={span}
              onChange={(value) => setSpan(value as Span)}
            />
          </Group>
          <Group gap="xs" wrap="wrap">
            <Button
              size="compact-sm"
              variant="default"
              onClick={() => setFrom(addDays(from, -SPAN_DAYS[span]))}
            >
              Earlier
            </Button>
            <Button size="compact-sm" variant="default" onClick={() => setFrom(dateIn(Date.now(), timeZone))}>
              Today
            </Button>
            <Button
              size="compact-sm"
              variant="default"
              onClick={() => setFrom(addDays(from, SPAN_DAYS[span]))}
            >
              Later
            </Button>
            <Text
              size="sm"
              aria-live="polite"
              title={`Your time zone: ${timeZone}`}
              data-testid="preview-zone"
            >
              {describeRange(window.start, window.end, shown, locale)} · times in {shown}
              {shown !== timeZone ? ` (yours: ${timeZone})` : ''}
            </Text>
          </Group>
          {computed && computed.cur_oncall.end > 0 && (
            <Text size="sm">
              On call now: <strong>{oncallNames(computed.cur_oncall)}</strong> until{' '}
              {formatTime(computed.cur_oncall.end * 1000, shown, locale)}
              {computed.next_oncall.end > 0 && <>, then {oncallNames(computed.next_oncall)}</>}
            </Text>
          )}
          {previewError && (
            <Alert color="red" title="The timeline cannot be computed" role="alert">
              {previewError}
            </Alert>
          )}
          {computed && !previewError ? (
            <ScheduleTimeline
              layers={computed.schedule_layers}
              final={computed.final_schedule.schedules}
              window={computed.window}
              lines={computed.lines}
              zone={shown}
              locale={locale}
              name={nameOf}
              now={Date.now()}
            />
          ) : (
            !previewError && <Loader size="sm" aria-label="Computing the timeline" />
          )}
        </Stack>
      </Card>

      <form onSubmit={save} aria-label="Schedule settings">
        <Stack gap="md">
          <Card withBorder padding="sm" component="section" aria-labelledby="settings-title">
            <Stack gap="xs">
              <Title order={3} size="h5" id="settings-title">
                Settings
              </Title>
              <Group gap="sm" align="flex-start" wrap="wrap">
                <TextInput
                  label="Name"
                  required
                  error={checks.error('name', form.name)}
                  value={form.name}
                  onChange={(e) => set({ name: e.currentTarget.value })}
                  w={{ base: '100%', sm: 260 }}
                />
                <Select
                  label="Time zone"
                  description="The layers' times are read in this zone"
                  searchable
                  allowDeselect={false}
                  limit={60}
                  data={timeZones(form.timeZone)}
                  value={form.timeZone}
                  onChange={(value) => value && set({ timeZone: value })}
                  w={{ base: '100%', sm: 240 }}
                />
                <Select
                  label="Team"
                  allowDeselect={false}
                  data={[{ value: '0', label: 'No team' }, ...teams]}
                  value={String(form.teamId)}
                  onChange={(value) => value && set({ teamId: Number(value) })}
                  w={{ base: '100%', sm: 200 }}
                />
              </Group>
              <Textarea
                label="Description"
                error={checks.error('description', form.description)}
                autosize
                minRows={1}
                value={form.description}
                onChange={(e) => set({ description: e.currentTarget.value })}
              />
            </Stack>
          </Card>

          <Stack gap="sm" component="section" aria-labelledby="layers-title">
            <Group justify="space-between">
              <Title order={3} size="h5" id="layers-title">
                Layers
              </Title>
              <Button
                variant="default"
                size="xs"
                onClick={() =>
                  set({
                    rotations: [
                      ...form.rotations,
                      newRotation(form.rotations.length, startOfDate(dateIn(Date.now(), zone), zone)),
                    ],
                  })
                }
              >
                Add layer
              </Button>
            </Group>
            {form.rotations.length === 0 && (
              <Text size="sm" c="dimmed">
                No layers: nobody is on call. Add a layer with the people who take turns.
              </Text>
            )}
            {form.rotations.map((rotation, i) => (
              <RotationEditor
                key={rotation.key}
                rotation={rotation}
                index={i}
                count={form.rotations.length}
                zone={zone}
                people={options}
                onChange={(patch) => setRotation(rotation.key, patch)}
                onRemove={() => set({ rotations: form.rotations.filter((r) => r.key !== rotation.key) })}
              />
            ))}
            {form.rotations.length > 1 && (
              <Text size="xs" c="dimmed">
                Where several layers have someone on call, the lower layer in this list wins.
              </Text>
            )}
          </Stack>

          <OverridesEditor
            overrides={form.overrides}
            zone={zone}
            people={people}
            locale={locale}
            nameOf={nameOf}
            onChange={(overrides) => set({ overrides })}
          />

          {error && (
            <Alert
              color="red"
              title="The schedule was not saved"
              role="alert"
              withCloseButton
              onClose={() => setError(undefined)}
            >
              {error}
            </Alert>
          )}
          {done && !dirty && (
            <Alert color="green" role="status" title={done}>
              The timeline above is what is saved.
            </Alert>
          )}
          <Group gap="sm" wrap="wrap">
            <Button type="submit" loading={busy}>
              {scheduleId === undefined ? 'Create schedule' : 'Save'}
            </Button>
            {scheduleId !== undefined && (
              <Button variant="default" disabled={!dirty} onClick={() => savedForm && setForm(savedForm)}>
                Discard changes
              </Button>
            )}
            {scheduleId !== undefined && (
              <Button color="red" variant="light" onClick={() => setConfirmDelete(true)}>
                Delete schedule
              </Button>
            )}
          </Group>
        </Stack>
      </form>

      <ConfirmModal
        title={confirmDelete ? 'Delete this schedule?' : undefined}
        body="Escalation rules that page this schedule will find nobody on it. This cannot be undone."
        confirmLabel="Delete"
        onConfirm={remove}
        onClose={() => setConfirmDelete(false)}
      />
    </Stack>
  );
}

function RotationEditor(props: {
  rotation: Rotation;
  index: number;
  count: number;
  zone: string;
  people: Option[];
  onChange: (patch: Partial<Rotation>) => void;
  onRemove: () => void;
}) {
  const { rotation: r, zone, onChange } = props;
  const checks = useChecks('/schedule/create', { name: 'layers[].layer_name' });
  const label = r.name.trim() || `Layer ${props.index + 1}`;
  const turns = r.turns;
  const moveTurn = (i: number, by: number) => {
    const next = [...turns];
    const [turn] = next.splice(i, 1);
    if (turn) next.splice(i + by, 0, turn);
    onChange({ turns: next });
  };
  const setPeriod = (i: number, patch: Partial<RestrictPeriod>) =>
    onChange({ periods: r.periods.map((p, j) => (j === i ? { ...p, ...patch } : p)) });
  const weekly = weeklyCycle(r);
  const day = Math.floor(r.handoff / 86_400);
  // Start, unit and length carry a weekly hand-off along while it follows the start.
  const change = (patch: Partial<Rotation>) => onChange(withHandoff(r, patch, zone));

  return (
    <Card withBorder padding="sm" component="fieldset" aria-label={label} m={0}>
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end" wrap="wrap">
          <TextInput
            label="Layer name"
            error={checks.error('name', r.name)}
            value={r.name}
            onChange={(e) => onChange({ name: e.currentTarget.value })}
            w={{ base: '100%', sm: 240 }}
          />
          <Button
            variant="subtle"
            color="red"
            size="xs"
            onClick={props.onRemove}
            aria-label={`Remove ${label}`}
          >
            Remove layer
          </Button>
        </Group>

        <Stack gap={6} role="group" aria-label={`Turns of ${label}`}>
          <Text size="sm" fw={500}>
            Turns, in order
          </Text>
          {turns.map((turn, i) => (
            <Group key={turn.key} gap="xs" align="flex-end" wrap="nowrap">
              <MultiSelect
                label={`Turn ${i + 1}`}
                placeholder={turn.people.length ? undefined : 'Pick people'}
                searchable
                data={props.people}
                value={turn.people.map(String)}
                onChange={(values) =>
                  onChange({
                    turns: turns.map((t) => (t.key === turn.key ? { ...t, people: values.map(Number) } : t)),
                  })
                }
                style={{ flex: 1, minWidth: 0 }}
              />
              <Button
                variant="default"
                size="sm"
                px={8}
                disabled={i === 0}
                aria-label={`Move turn ${i + 1} up`}
                onClick={() => moveTurn(i, -1)}
              >
                ↑
              </Button>
              <Button
                variant="default"
                size="sm"
                px={8}
                disabled={i === turns.length - 1}
                aria-label={`Move turn ${i + 1} down`}
                onClick={() => moveTurn(i, 1)}
              >
                ↓
              </Button>
              <Button
                variant="default"
                size="sm"
                px={8}
                disabled={turns.length === 1}
                aria-label={`Remove turn ${i + 1}`}
                onClick={() => onChange({ turns: turns.filter((t) => t.key !== turn.key) })}
              >
                ✕
              </Button>
            </Group>
          ))}
          <Group>
            <Button
              variant="default"
              size="xs"
              onClick={() =>
                onChange({ turns: [...turns, { key: newKey(), name: '', people: [], others: [] }] })
              }
            >
              Add turn
            </Button>
          </Group>
        </Stack>

        <Group gap="sm" align="flex-start" wrap="wrap">
          <NumberInput
            label="Hand off every"
            min={1}
            max={30}
            allowDecimal={false}
            value={r.value}
            onChange={(value) => typeof value === 'number' && change({ value })}
            w={130}
          />
          <Select
            label="Unit"
            allowDeselect={false}
            data={UNITS}
            value={r.unit}
            onChange={(value) => value && change({ unit: value as RotationUnit })}
            w={120}
          />
          <TextInput
            type="datetime-local"
            label={`Starts (${zone})`}
            required
            value={toLocalInput(r.start, zone)}
            onChange={(e) => {
              const start = fromLocalInput(e.currentTarget.value, zone);
              if (start !== undefined) change({ start });
            }}
            w={{ base: '100%', xs: 230 }}
          />
          <TextInput
            type="datetime-local"
            label={`Ends (${zone})`}
            description="Empty: no end"
            value={r.end === null ? '' : toLocalInput(r.end, zone)}
            onChange={(e) => onChange({ end: fromLocalInput(e.currentTarget.value, zone) ?? null })}
            w={{ base: '100%', xs: 230 }}
          />
        </Group>
        {weekly ? (
          <Group gap="sm" align="flex-start" wrap="wrap">
            <Select
              label="Hand-off day"
              allowDeselect={false}
              data={WEEK_FROM_MONDAY.map((d, i) => ({ value: String(i), label: d }))}
              value={String(day)}
              onChange={(value) =>
                value && onChange({ handoff: Number(value) * 86_400 + (r.handoff % 86_400) })
              }
              w={160}
            />
            <TextInput
              type="time"
              label="Hand-off time"
              value={clockOf(r.handoff)}
              onChange={(e) => {
                const s = secondsOf(e.currentTarget.value);
                if (s !== undefined) onChange({ handoff: day * 86_400 + s });
              }}
              w={130}
            />
          </Group>
        ) : (
          <Text size="xs" c="dimmed">
            A new turn every{' '}
            {r.value === 1 ? r.unit : `${r.value} ${UNITS.find((u) => u.value === r.unit)?.label}`}, counted
            from “Starts” ({toLocalInput(r.start, zone).slice(11)} in {zone}).
          </Text>
        )}

        <Group gap="sm" align="flex-start" wrap="wrap">
          <Select
            label="On call"
            allowDeselect={false}
            data={[
              { value: '0', label: 'All the time' },
              { value: '1', label: 'Certain hours each day' },
              { value: '2', label: 'Certain hours each week' },
            ]}
            value={String(r.restrictMode)}
            onChange={(value) => {
              const mode = Number(value) as 0 | 1 | 2;
              const periods =
                mode === 0 || mode === r.restrictMode
                  ? r.periods
                  : mode === 1
                    ? [{ restrict_start: 9 * 3600, restrict_end: 18 * 3600 }]
                    : [{ restrict_start: 9 * 3600, restrict_end: 4 * 86_400 + 18 * 3600 }];
              onChange({ restrictMode: mode, periods });
            }}
            w={{ base: '100%', xs: 240 }}
          />
        </Group>
        {r.restrictMode !== 0 &&
          r.periods.map((p, i) => (
            <Group
              // biome-ignore lint/suspicious/noArrayIndexKey: periods have no identity of their own
              key={i}
              gap="xs"
              align="flex-end"
              wrap="wrap"
              role="group"
              aria-label={`Period ${i + 1}`}
            >
              {r.restrictMode === 2 && (
                <Select
                  label={`Period ${i + 1} from day`}
                  allowDeselect={false}
                  data={WEEK_FROM_MONDAY.map((d, j) => ({ value: String(j), label: d }))}
                  value={String(Math.floor(p.restrict_start / 86_400) % 7)}
                  onChange={(v) =>
                    v && setPeriod(i, { restrict_start: Number(v) * 86_400 + (p.restrict_start % 86_400) })
                  }
                  w={140}
                />
              )}
              <TextInput
                type="time"
                label={`Period ${i + 1} from`}
                value={clockOf(p.restrict_start)}
                onChange={(e) => {
                  const s = secondsOf(e.currentTarget.value);
                  if (s !== undefined)
                    setPeriod(i, { restrict_start: Math.floor(p.restrict_start / 86_400) * 86_400 + s });
                }}
                w={130}
              />
              {r.restrictMode === 2 && (
                <Select
                  label={`Period ${i + 1} to day`}
                  allowDeselect={false}
                  data={WEEK_FROM_MONDAY.map((d, j) => ({ value: String(j), label: d }))}
                  value={String(Math.floor(p.restrict_end / 86_400) % 7)}
                  onChange={(v) =>
                    v && setPeriod(i, { restrict_end: Number(v) * 86_400 + (p.restrict_end % 86_400) })
                  }
                  w={140}
                />
              )}
              <TextInput
                type="time"
                label={`Period ${i + 1} to`}
                value={clockOf(p.restrict_end)}
                onChange={(e) => {
                  const s = secondsOf(e.currentTarget.value);
                  if (s !== undefined)
                    setPeriod(i, { restrict_end: Math.floor(p.restrict_end / 86_400) * 86_400 + s });
                }}
                w={130}
              />
              <Button
                variant="subtle"
                size="sm"
                disabled={r.periods.length === 1}
                onClick={() => onChange({ periods: r.periods.filter((_, j) => j !== i) })}
              >
                Remove period {i + 1}
              </Button>
            </Group>
          ))}
        {r.restrictMode !== 0 && (
          <Group>
            <Button
              variant="default"
              size="xs"
              onClick={() =>
                onChange({ periods: [...r.periods, { restrict_start: 9 * 3600, restrict_end: 18 * 3600 }] })
              }
            >
              Add period
            </Button>
          </Group>
        )}

        <Stack gap={4} role="group" aria-label={`Days ${label} covers`}>
          <Text size="sm" fw={500}>
            Days covered{' '}
            <Text span size="xs" c="dimmed">
              (none picked: every day)
            </Text>
          </Text>
          <Chip.Group
            multiple
            value={r.days.map(String)}
            onChange={(values) => onChange({ days: values.map(Number).sort((a, b) => a - b) })}
          >
            <Group gap={6}>
              {WEEKDAYS.map((d, i) => (
                <Chip key={d} value={String(i)} size="xs">
                  {d}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </Stack>
        <Group gap="lg" wrap="wrap">
          <Switch
            label="Fair rotation (each round starts one turn later)"
            checked={r.fair}
            onChange={(e) => onChange({ fair: e.currentTarget.checked })}
          />
          <Switch
            label="Covered days run from the hand-off time, not midnight"
            checked={r.continuous}
            onChange={(e) => onChange({ continuous: e.currentTarget.checked })}
          />
        </Group>
      </Stack>
    </Card>
  );
}

function OverridesEditor(props: {
  overrides: Override[];
  zone: string;
  locale: string;
  people: Option[];
  nameOf: (id: number) => string;
  onChange: (overrides: Override[]) => void;
}) {
  const { zone } = props;
  const nextHour = Math.ceil(Date.now() / HOUR) * HOUR;
  const [person, setPerson] = useState<string | null>(null);
  const [start, setStart] = useState(() => toLocalInput(nextHour, zone));
  const [end, setEnd] = useState(() => toLocalInput(nextHour + 8 * HOUR, zone));
  const [problem, setProblem] = useState<string>();

  const add = () => {
    const from = fromLocalInput(start, zone);
    const to = fromLocalInput(end, zone);
    if (!person) return setProblem('Pick the person who covers.');
    if (from === undefined) return setProblem('Give the start of the override.');
    if (to === undefined || to <= from) return setProblem('The override must end after it starts.');
    setProblem(undefined);
    props.onChange([
      ...props.overrides,
      { key: newKey(), name: '', people: [Number(person)], start: from, end: to },
    ]);
    setPerson(null);
  };
  const describe = (o: Override) => describeRange(o.start, o.end, zone, props.locale);
  const who = (o: Override) => o.people.map(props.nameOf).join(', ') || 'Nobody';

  return (
    <Card withBorder padding="sm" component="section" aria-labelledby="overrides-title">
      <Stack gap="xs">
        <Title order={3} size="h5" id="overrides-title">
          Overrides
        </Title>
        <Text size="xs" c="dimmed">
          Someone covers for a while: an override wins over every layer. Times in {zone}.
        </Text>
        {props.overrides.length === 0 ? (
          <Text size="sm" c="dimmed">
            No overrides. Add one below when someone takes over a shift.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={300}>
            <Table aria-label="Overrides" verticalSpacing={4} fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>When</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {props.overrides.map((o) => (
                  <Table.Tr key={o.key}>
                    <Table.Td>{who(o)}</Table.Td>
                    <Table.Td>{describe(o)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove the override of ${who(o)}, ${describe(o)}`}
                        onClick={() => props.onChange(props.overrides.filter((x) => x.key !== o.key))}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group gap="sm" align="flex-end" wrap="wrap" role="group" aria-label="Add an override">
          <Select
            label="Person"
            placeholder="Who covers"
            searchable
            data={props.people}
            value={person}
            onChange={setPerson}
            w={{ base: '100%', xs: 200 }}
          />
          <TextInput
            type="datetime-local"
            label={`From (${zone})`}
            value={start}
            onChange={(e) => setStart(e.currentTarget.value)}
            w={{ base: '100%', xs: 230 }}
          />
          <TextInput
            type="datetime-local"
            label={`To (${zone})`}
            value={end}
            onChange={(e) => setEnd(e.currentTarget.value)}
            w={{ base: '100%', xs: 230 }}
          />
          <Button variant="default" onClick={add}>
            Add override
          </Button>
        </Group>
        {problem && (
          <Text size="sm" c="red" role="alert">
            {problem}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
