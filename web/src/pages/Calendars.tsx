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
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { ConfirmModal, ErrorAlert } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { useSession } from '../session.tsx';
import { addDays, dateIn, describeDays, timeZones } from '../timeline.ts';

/*
 * Service calendars (/calendar/*): which weekdays are working days, and dated events that make
 * days off (holidays) or working days. Escalation time filters and silences read them.
 */

type Calendar = {
  cal_id: string;
  cal_name: string;
  description: string;
  timezone: string;
  workdays: number[];
  extra_cal_ids: string[];
};
type CalEvent = {
  cal_id: string;
  event_id: string;
  summary: string;
  description: string;
  start_at: string;
  end_at: string;
  is_off: boolean;
};

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const FIRST_YEAR = 2023;

/** "Mon–Fri" style summary of workdays, Monday first. */
function describeWorkdays(days: number[]): string {
  if (days.length === 7) return 'Every day';
  if (days.length === 0) return 'No workdays';
  return [1, 2, 3, 4, 5, 6, 0]
    .filter((d) => days.includes(d))
    .map((d) => WEEKDAYS[d])
    .join(', ');
}

/** The account's calendars, and a form to create one. */
export function CalendarsPage() {
  const createChecks = useChecks('/calendar/create', { name: 'cal_name' });
  const { timeZone } = useSession();
  const [, navigate] = useLocation();
  const [items, setItems] = useState<Calendar[]>();
  const [error, setError] = useState<string>();
  const [loadError, setLoadError] = useState<string>();
  const [name, setName] = useState('');
  const [zone, setZone] = useState(timeZone);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .post<{ items: Calendar[] }>('/calendar/list', {})
      .then((list) => setItems(list.items))
      .catch((caught) => setLoadError(describeError(caught)));
  }, []);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<{ cal_id: string }>('/calendar/create', {
        cal_name: name,
        timezone: zone,
      });
      navigate(`/calendars/${encodeURIComponent(created.cal_id)}`);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };
  const nameOf = (id: string) => items?.find((c) => c.cal_id === id)?.cal_name ?? id;

  return (
    <Stack gap="md">
      <Title order={2}>Calendars</Title>
      <Text size="sm" c="dimmed">
        Workdays and holidays. Escalation rules and silences can act on working days or days off only.
      </Text>
      <form onSubmit={create} aria-labelledby="new-calendar-title">
        <Stack gap="xs">
          <Title order={3} size="h5" id="new-calendar-title">
            New calendar
          </Title>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Name"
              required
              error={createChecks.error('name', name)}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={{ base: '100%', sm: 240 }}
            />
            <Select
              label="Time zone"
              searchable
              allowDeselect={false}
              limit={60}
              data={timeZones(zone)}
              value={zone}
              onChange={(value) => value && setZone(value)}
              w={{ base: '100%', sm: 240 }}
            />
            <Button type="submit" loading={busy}>
              Create calendar
            </Button>
          </Group>
        </Stack>
      </form>
      <ErrorAlert title="The calendar was not created" error={error} onClose={() => setError(undefined)} />
      {loadError && (
        <Alert color="red" title="The calendars could not be loaded" role="alert">
          {loadError}
        </Alert>
      )}
      {!items && !loadError && <Loader aria-label="Loading calendars" />}
      {items && items.length === 0 && (
        <Alert color="gray" title="No calendars yet">
          Create one above, then mark its workdays and add holidays.
        </Alert>
      )}
      {items && items.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="Calendars" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Workdays</Table.Th>
                <Table.Th visibleFrom="sm">Time zone</Table.Th>
                <Table.Th visibleFrom="md">Also follows</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((c) => (
                <Table.Tr key={c.cal_id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Anchor component={Link} href={`/calendars/${encodeURIComponent(c.cal_id)}`}>
                      {c.cal_name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{describeWorkdays(c.workdays)}</Table.Td>
                  <Table.Td visibleFrom="sm">{c.timezone}</Table.Td>
                  <Table.Td visibleFrom="md">{c.extra_cal_ids.map(nameOf).join(', ') || '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/** One calendar: its settings, and its events of a year (own and inherited). */
export function CalendarDetailPage({ calId }: { calId: string }) {
  const eventChecks = useChecks('/calendar/event/upsert', { summary: 'summary' });
  const settingsChecks = useChecks('/calendar/update', { name: 'cal_name', description: 'description' });
  const { member } = useSession();
  const locale = member.locale || 'en-US';
  const [, navigate] = useLocation();
  const [calendar, setCalendar] = useState<Calendar>();
  const [form, setForm] = useState<Calendar>();
  const [others, setOthers] = useState<Calendar[]>([]);
  const [year, setYear] = useState<number>();
  const [events, setEvents] = useState<CalEvent[]>();
  const [loadError, setLoadError] = useState<string>();
  const [error, setError] = useState<string>();
  const [eventError, setEventError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [draft, setDraft] = useState({ summary: '', first: '', last: '', off: true });

  useEffect(() => {
    Promise.all([
      api.post<Calendar>('/calendar/info', { cal_id: calId }),
      api.post<{ items: Calendar[] }>('/calendar/list', {}),
    ])
      .then(([info, list]) => {
        setCalendar(info);
        setForm(info);
        setOthers(list.items.filter((c) => c.cal_id !== calId));
        const today = dateIn(Date.now(), info.timezone);
        setYear(Math.max(FIRST_YEAR, Number(today.slice(0, 4))));
        setDraft((d) => ({ ...d, first: today, last: today }));
      })
      .catch((caught) => setLoadError(describeError(caught)));
  }, [calId]);

  const loadEvents = useCallback(async () => {
    if (year === undefined) return;
    try {
      const list = await api.post<{ items: CalEvent[] }>('/calendar/event/list', { cal_id: calId, year });
      setEvents(list.items);
    } catch (caught) {
      setEventError(describeError(caught));
    }
  }, [calId, year]);
  useEffect(() => {
    void loadEvents();
  }, [loadEvents]);

  if (!calendar || !form) {
    return loadError ? (
      <Alert color="red" title="This calendar could not be loaded" role="alert">
        {loadError} <Link href="/calendars">Back to the calendars.</Link>
      </Alert>
    ) : (
      <Loader aria-label="Loading the calendar" />
    );
  }

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      await api.post('/calendar/update', {
        cal_id: calId,
        cal_name: form.cal_name,
        description: form.description,
        timezone: form.timezone,
        workdays: form.workdays,
        extra_cal_ids: form.extra_cal_ids,
      });
      setCalendar(form);
      setDone('Calendar saved.');
      await loadEvents();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const addEvent = async (event: FormEvent) => {
    event.preventDefault();
    setEventError(undefined);
    try {
      await api.post('/calendar/event/upsert', {
        cal_id: calId,
        summary: draft.summary,
        start_at: draft.first,
        // The API's end is exclusive: the day after the last day.
        end_at: draft.last ? addDays(draft.last, 1) : '',
        is_off: draft.off,
      });
      setDraft({ ...draft, summary: '' });
      await loadEvents();
    } catch (caught) {
      setEventError(describeError(caught));
    }
  };

  const removeEvent = async (target: CalEvent) => {
    setEventError(undefined);
    try {
      await api.post('/calendar/event/delete', { cal_id: calId, event_id: target.event_id });
      await loadEvents();
    } catch (caught) {
      setEventError(describeError(caught));
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api.post('/calendar/delete', { cal_id: calId });
      navigate('/calendars');
    } catch (caught) {
      setError(describeError(caught));
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  };

  const dirty = JSON.stringify(form) !== JSON.stringify(calendar);
  const calendarName = (id: string) => others.find((c) => c.cal_id === id)?.cal_name ?? id;

  return (
    <Stack gap="md">
      <Anchor component={Link} href="/calendars" size="sm">
        ← Calendars
      </Anchor>
      <Group gap="sm">
        <Title order={2} style={{ overflowWrap: 'anywhere' }}>
          {calendar.cal_name}
        </Title>
        {dirty && (
          <Badge color="yellow" variant="light">
            Unsaved changes
          </Badge>
        )}
      </Group>

      <form onSubmit={save} aria-label="Calendar settings">
        <Card withBorder padding="sm">
          <Stack gap="sm">
            <Group gap="sm" align="flex-start" wrap="wrap">
              <TextInput
                label="Name"
                required
                error={settingsChecks.error('name', form.cal_name)}
                value={form.cal_name}
                onChange={(e) => setForm({ ...form, cal_name: e.currentTarget.value })}
                w={{ base: '100%', sm: 240 }}
              />
              <Select
                label="Time zone"
                searchable
                allowDeselect={false}
                limit={60}
                data={timeZones(form.timezone)}
                value={form.timezone}
                onChange={(value) => value && setForm({ ...form, timezone: value })}
                w={{ base: '100%', sm: 240 }}
              />
            </Group>
            <Stack gap={4} role="group" aria-label="Workdays">
              <Text size="sm" fw={500}>
                Workdays
              </Text>
              <Chip.Group
                multiple
                value={form.workdays.map(String)}
                onChange={(values) =>
                  setForm({ ...form, workdays: values.map(Number).sort((a, b) => a - b) })
                }
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
            <MultiSelect
              label="Also follows"
              description="The events of these calendars apply here too, after this calendar's own"
              placeholder={others.length ? 'Pick calendars' : 'No other calendars'}
              data={others.map((c) => ({ value: c.cal_id, label: c.cal_name }))}
              value={form.extra_cal_ids}
              onChange={(values) => setForm({ ...form, extra_cal_ids: values })}
              w={{ base: '100%', sm: 500 }}
            />
            <Textarea
              label="Description"
              error={settingsChecks.error('description', form.description)}
              autosize
              minRows={1}
              value={form.description}
              onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
            />
            <ErrorAlert
              title="The calendar was not saved"
              error={error}
              onClose={() => setError(undefined)}
            />
            {done && !dirty && (
              <Alert color="green" role="status" title={done}>
                {describeWorkdays(calendar.workdays)} are workdays.
              </Alert>
            )}
            <Group gap="sm" wrap="wrap">
              <Button type="submit" loading={busy}>
                Save
              </Button>
              <Button variant="default" disabled={!dirty} onClick={() => setForm(calendar)}>
                Discard changes
              </Button>
              <Button color="red" variant="light" onClick={() => setConfirmDelete(true)}>
                Delete calendar
              </Button>
            </Group>
          </Stack>
        </Card>
      </form>

      <Card withBorder padding="sm" component="section" aria-labelledby="events-title">
        <Stack gap="sm">
          <Group justify="space-between" wrap="wrap">
            <Title order={3} size="h5" id="events-title">
              Holidays and working days of {year}
            </Title>
            <Group gap="xs">
              <Button
                size="compact-sm"
                variant="default"
                disabled={year === undefined || year <= FIRST_YEAR}
                onClick={() => year && setYear(year - 1)}
              >
                Previous year
              </Button>
              <Button size="compact-sm" variant="default" onClick={() => year && setYear(year + 1)}>
                Next year
              </Button>
            </Group>
          </Group>
          {!events && <Loader size="sm" aria-label="Loading events" />}
          {events && events.length === 0 && (
            <Text size="sm" c="dimmed">
              No holidays or extra working days in {year}. Add one below.
            </Text>
          )}
          {events && events.length > 0 && (
            <Table.ScrollContainer minWidth={320}>
              <Table aria-label="Events" verticalSpacing={4} fz="sm">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Event</Table.Th>
                    <Table.Th>Days</Table.Th>
                    <Table.Th>Kind</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {events.map((e) => (
                    <Table.Tr key={e.event_id}>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.summary}</Table.Td>
                      <Table.Td>{describeDays(e.start_at, e.end_at, locale)}</Table.Td>
                      <Table.Td>
                        <Badge color={e.is_off ? 'orange' : 'blue'} variant="light" miw="max-content">
                          {e.is_off ? 'Day off' : 'Working day'}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        {e.cal_id === calId ? (
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            aria-label={`Remove ${e.summary}`}
                            onClick={() => void removeEvent(e)}
                          >
                            Remove
                          </Button>
                        ) : (
                          <Text size="xs" c="dimmed">
                            from {calendarName(e.cal_id)}
                          </Text>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          <form onSubmit={addEvent} aria-label="Add an event">
            <Group gap="sm" align="flex-end" wrap="wrap">
              <TextInput
                label="Event"
                placeholder="e.g. New Year"
                required
                error={eventChecks.error('summary', draft.summary)}
                value={draft.summary}
                onChange={(e) => setDraft({ ...draft, summary: e.currentTarget.value })}
                w={{ base: '100%', xs: 200 }}
              />
              <TextInput
                type="date"
                label="First day"
                required
                value={draft.first}
                onChange={(e) => setDraft({ ...draft, first: e.currentTarget.value })}
                w={{ base: '100%', xs: 170 }}
              />
              <TextInput
                type="date"
                label="Last day"
                required
                value={draft.last}
                onChange={(e) => setDraft({ ...draft, last: e.currentTarget.value })}
                w={{ base: '100%', xs: 170 }}
              />
              <Switch
                label="Day off"
                checked={draft.off}
                onChange={(e) => setDraft({ ...draft, off: e.currentTarget.checked })}
                mb={8}
              />
              <Button type="submit" variant="default">
                Add event
              </Button>
            </Group>
          </form>
          <ErrorAlert title="That did not work" error={eventError} onClose={() => setEventError(undefined)} />
        </Stack>
      </Card>

      <ConfirmModal
        title={confirmDelete ? 'Delete this calendar?' : undefined}
        body="Rules that use it will no longer know its workdays and holidays."
        confirmLabel="Delete"
        onConfirm={remove}
        onClose={() => setConfirmDelete(false)}
      />
    </Stack>
  );
}
