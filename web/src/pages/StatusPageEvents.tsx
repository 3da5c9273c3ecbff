import {
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Paper,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { ConfirmModal, ErrorAlert, Notice, useAction } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';
import {
  COMPONENT_STATUSES,
  componentChangesOf,
  currentImpacts,
  describeChanges,
  EVENT_STATUSES,
  type EventTemplate,
  type EventType,
  groupComponents,
  type Impacts,
  impactsFor,
  newestFirst,
  type StatusEvent,
  type StatusPage,
  secondsToZoned,
  statusWords,
  terminalStatus,
  withQuery,
  zonedToSeconds,
} from '../statusPages.ts';
import { StatusBadge } from './statusPageParts.tsx';

const DateTimeField = lazy(() => import('../DateTimeField.tsx'));

const TYPE_WORDS: Record<EventType, string> = { incident: 'Incident', maintenance: 'Maintenance' };

/** A page's events: those not ended, the latest ended ones, and the one opened with its timeline. */
export function StatusEventsPanel({ page, onChanged }: { page: StatusPage; onChanged: () => Promise<void> }) {
  const [open, setOpen] = useState<StatusEvent[]>();
  const [ended, setEnded] = useState<StatusEvent[]>([]);
  const [templates, setTemplates] = useState<EventTemplate[]>([]);
  const [selected, setSelected] = useState<number>();
  const [composing, setComposing] = useState<EventType>();
  const action = useAction();

  const load = useCallback(async () => {
    const list = (path: string, params: Record<string, string>) =>
      api
        .get<{ items: StatusEvent[] }>(withQuery(path, { page_id: page.page_id, ...params }))
        .then((r) => r.items);
    const [incidents, maintenance, resolved, completed, templateList] = await Promise.all([
      list('/status-page/change/active/list', { type: 'incident' }),
      list('/status-page/change/active/list', { type: 'maintenance' }),
      list('/status-page/change/list', { type: 'incident', status: 'resolved' }),
      list('/status-page/change/list', { type: 'maintenance', status: 'completed' }),
      api.get<{ items: EventTemplate[] }>(withQuery('/status-page/template/list', { page_id: page.page_id })),
    ]);
    setOpen([...incidents, ...maintenance].sort((a, b) => b.start_at_seconds - a.start_at_seconds));
    setEnded(
      [...resolved, ...completed].sort((a, b) => b.close_at_seconds - a.close_at_seconds).slice(0, 20),
    );
    setTemplates(templateList.items);
  }, [page.page_id]);
  const { run } = action;
  useEffect(() => {
    void run(load);
  }, [run, load]);

  // Maintenance that follows its schedule changes on its own: the lists refresh every 15 s while the
  // tab is visible (as the incident list polls; no push channel yet).
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void load().catch(() => undefined);
    }, 15_000);
    return () => clearInterval(timer);
  }, [load]);

  const changed = async () => {
    await Promise.all([load(), onChanged()]);
  };
  const offered = (type: 'pre_defined' | 'message') =>
    templates.filter(
      (t) => t.type === type && (!page.template_preference || page.template_preference === type),
    );

  return (
    <Stack gap="md">
      <Group gap="sm">
        <Button onClick={() => setComposing('incident')} disabled={page.components.length === 0}>
          Open an incident
        </Button>
        <Button
          variant="default"
          onClick={() => setComposing('maintenance')}
          disabled={page.components.length === 0}
        >
          Schedule maintenance
        </Button>
      </Group>
      {page.components.length === 0 && (
        <Text c="dimmed">
          An event says which components it affects: add components in the Components tab first.
        </Text>
      )}
      <ErrorAlert error={action.error} onClose={action.clearError} />

      {selected !== undefined && (
        <EventCard
          key={selected}
          page={page}
          changeId={selected}
          templates={offered('message')}
          onChanged={changed}
          onClose={() => setSelected(undefined)}
        />
      )}

      <section aria-labelledby="open-events">
        <Title order={3} size="h5" id="open-events" mb="xs">
          Open events
        </Title>
        {!open && <Loader size="sm" aria-label="Loading events" />}
        {open && open.length === 0 && (
          <Text size="sm" c="dimmed">
            Nothing open: every component is as its last events left it. Open an incident when something
            breaks, or schedule maintenance ahead of planned work.
          </Text>
        )}
        {open && open.length > 0 && <EventList events={open} onOpen={setSelected} />}
      </section>
      <section aria-labelledby="ended-events">
        <Title order={3} size="h5" id="ended-events" mb="xs">
          Ended events
        </Title>
        {ended.length === 0 ? (
          <Text size="sm" c="dimmed">
            No ended events yet.
          </Text>
        ) : (
          <EventList events={ended} onOpen={setSelected} />
        )}
      </section>

      <ComposeModal
        page={page}
        type={composing}
        templates={offered('pre_defined')}
        onClose={() => setComposing(undefined)}
        onCreated={async (changeId) => {
          setComposing(undefined);
          setSelected(changeId);
          await changed();
        }}
      />
    </Stack>
  );
}

function EventList({ events, onOpen }: { events: StatusEvent[]; onOpen: (changeId: number) => void }) {
  const { member, timeZone } = useSession();
  return (
    <Stack gap={6} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {events.map((event) => (
        <li key={event.change_id}>
          <Group gap="xs" wrap="wrap">
            <Anchor component="button" type="button" onClick={() => onOpen(event.change_id)} ta="left">
              {event.title}
            </Anchor>
            <Badge variant="outline" color="gray" miw="max-content">
              {TYPE_WORDS[event.type]}
            </Badge>
            <StatusBadge status={event.status} />
            <Text size="xs" c="dimmed">
              {formatTime(event.start_at_seconds * 1000, timeZone, member.locale || 'en-US')}
            </Text>
          </Group>
        </li>
      ))}
    </Stack>
  );
}

/** A NativeSelect per component of the page: the status an event (or an update) gives it. */
function ImpactFields(props: {
  page: StatusPage;
  type: EventType;
  value: Impacts;
  noneLabel: string;
  onChange: (value: Impacts) => void;
}) {
  const options = [
    { value: '', label: props.noneLabel },
    ...COMPONENT_STATUSES[props.type].map((s) => ({ value: s, label: statusWords(s) })),
  ];
  const components = groupComponents(props.page.sections, props.page.components).flatMap((g) => g.components);
  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
      <Text component="legend" size="sm" fw={500} mb={4}>
        Components
      </Text>
      <Stack gap={6}>
        {components.map((component) => (
          <NativeSelect
            key={component.component_id}
            label={component.name}
            data={options}
            value={props.value[component.component_id] ?? ''}
            onChange={(e) =>
              props.onChange({
                ...props.value,
                [component.component_id]: e.currentTarget.value as Impacts[string],
              })
            }
          />
        ))}
      </Stack>
    </fieldset>
  );
}

function TemplatePicker(props: { templates: EventTemplate[]; onPick: (template: EventTemplate) => void }) {
  if (props.templates.length === 0) return null;
  return (
    <NativeSelect
      label="Start from a template"
      data={[
        { value: '', label: 'No template' },
        ...props.templates.map((t) => ({
          value: t.template_id,
          label: `${t.title || t.description.slice(0, 40)} (${statusWords(t.status)})`,
        })),
      ]}
      defaultValue=""
      onChange={(e) => {
        const template = props.templates.find((t) => t.template_id === e.currentTarget.value);
        if (template) props.onPick(template);
      }}
    />
  );
}

/** Opens an incident or schedules maintenance: title, description, status, impacts (and the window). */
function ComposeModal(props: {
  page: StatusPage;
  type: EventType | undefined;
  templates: EventTemplate[];
  onClose: () => void;
  onCreated: (changeId: number) => Promise<void>;
}) {
  const { timeZone } = useSession();
  const type = props.type ?? 'incident';
  const action = useAction();
  const checks = useChecks('/status-page/change/create', { title: 'title', description: 'description' });
  const blank = () => {
    const nextHour = Math.ceil(Date.now() / 3_600_000) * 3600;
    return {
      title: '',
      description: '',
      status: EVENT_STATUSES[type][0]!,
      impacts: {} as Impacts,
      notify: true,
      start: secondsToZoned(nextHour + 3600, timeZone) as string | null,
      end: secondsToZoned(nextHour + 3 * 3600, timeZone) as string | null,
      followSchedule: true,
    };
  };
  const [form, setForm] = useState(blank);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a fresh form each time the dialog opens
  useEffect(() => {
    if (!props.type) return;
    setForm(blank());
    checks.clear();
  }, [props.type]);
  const set = (patch: Partial<ReturnType<typeof blank>>) => setForm({ ...form, ...patch });
  const templates = props.templates.filter((t) => t.event_type === type);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const values = { title: form.title.trim(), description: form.description };
    if (!checks.ok(values)) return;
    let created: { change_id: number } | undefined;
    await action.run(async () => {
      const window =
        type === 'maintenance'
          ? {
              start_at_seconds: form.start ? zonedToSeconds(form.start, timeZone) : undefined,
              close_at_seconds: form.end ? zonedToSeconds(form.end, timeZone) : undefined,
              auto_update_by_schedule: form.followSchedule,
            }
          : {};
      try {
        created = await api.post<{ change_id: number }>('/status-page/change/create', {
          page_id: props.page.page_id,
          type,
          title: values.title,
          description: values.description,
          status: form.status,
          notify_subscribers: form.notify,
          ...window,
          updates: [
            {
              status: form.status,
              description: values.description,
              component_changes: componentChangesOf(form.impacts, {}),
            },
          ],
        });
      } catch (caught) {
        // What the server says of the title or description goes beside it; the rest in the banner.
        if (checks.absorb(caught, values) !== undefined) throw caught;
      }
    });
    if (created) await props.onCreated(created.change_id);
  };

  const title = type === 'incident' ? 'Open an incident' : 'Schedule maintenance';
  return (
    <Modal opened={props.type !== undefined} onClose={props.onClose} title={title} size="lg">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <TemplatePicker
            templates={templates}
            onPick={(t) =>
              set({ title: t.title || form.title, description: t.description, status: t.status })
            }
          />
          <TextInput
            label="Title"
            required
            data-autofocus
            value={form.title}
            error={checks.error('title', form.title.trim())}
            onChange={(e) => set({ title: e.currentTarget.value })}
          />
          <Textarea
            label="Description"
            description="What visitors read first (Markdown, shown as text)"
            required
            autosize
            minRows={3}
            value={form.description}
            error={checks.error('description', form.description)}
            onChange={(e) => set({ description: e.currentTarget.value })}
          />
          <NativeSelect
            label="Status"
            data={EVENT_STATUSES[type]
              .filter((s) => s !== terminalStatus(type))
              .map((s) => ({ value: s, label: statusWords(s) }))}
            value={form.status}
            onChange={(e) => set({ status: e.currentTarget.value })}
          />
          {type === 'maintenance' && (
            <Suspense fallback={<Loader size="xs" aria-label="Loading the calendar" />}>
              <Group grow gap="sm" wrap="wrap">
                <DateTimeField
                  label="Starts"
                  description={`In ${timeZone}`}
                  required
                  value={form.start}
                  onChange={(start) => set({ start })}
                />
                <DateTimeField
                  label="Ends"
                  description={`In ${timeZone}`}
                  value={form.end}
                  onChange={(end) => set({ end })}
                />
              </Group>
              <Switch
                label="Start and complete it on schedule"
                checked={form.followSchedule}
                onChange={(e) => set({ followSchedule: e.currentTarget.checked })}
              />
            </Suspense>
          )}
          <ImpactFields
            page={props.page}
            type={type}
            value={form.impacts}
            noneLabel="Not affected"
            onChange={(impacts) => set({ impacts })}
          />
          <Switch
            label="Notify subscribers"
            checked={form.notify}
            onChange={(e) => set({ notify: e.currentTarget.checked })}
          />
          <ErrorAlert error={action.error} onClose={action.clearError} />
          <Group justify="flex-end">
            <Button type="submit" loading={action.busy}>
              {type === 'incident' ? 'Open the incident' : 'Schedule it'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** One event: what it affects, its timeline in the member's zone, and a form to post an update. */
function EventCard(props: {
  page: StatusPage;
  changeId: number;
  templates: EventTemplate[];
  onChanged: () => Promise<void>;
  onClose: () => void;
}) {
  const { page, changeId } = props;
  const { member, timeZone } = useSession();
  const [event, setEvent] = useState<StatusEvent>();
  const [form, setForm] = useState({ status: '', description: '', impacts: {} as Impacts });
  const [renaming, setRenaming] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  const [removingUpdate, setRemovingUpdate] = useState<string>();
  const action = useAction();
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);
  const when = (seconds: number) => formatTime(seconds * 1000, timeZone, member.locale || 'en-US');

  const load = useCallback(async () => {
    const loaded = await api.get<StatusEvent>(
      withQuery('/status-page/change/info', { page_id: page.page_id, change_id: changeId }),
    );
    setEvent(loaded);
    setForm({ status: loaded.status, description: '', impacts: impactsFor(loaded, loaded.status) });
  }, [page.page_id, changeId]);
  const { run } = action;
  useEffect(() => {
    void run(load);
  }, [run, load]);
  // Once loaded, the event takes the focus (and comes into view): it opens above the lists.
  useEffect(() => {
    if (event && !focused.current) {
      focused.current = true;
      heading.current?.focus();
    }
  }, [event]);

  const afterChange = async () => {
    await Promise.all([load(), props.onChanged()]);
  };
  const chooseStatus = (status: string) => {
    if (!event) return;
    const ending = status === terminalStatus(event.type);
    setForm({
      ...form,
      status,
      impacts:
        ending || form.status === terminalStatus(event.type) ? impactsFor(event, status) : form.impacts,
    });
  };

  const post = async (submitted: FormEvent) => {
    submitted.preventDefault();
    if (!event) return;
    await action.run(async () => {
      await api.post('/status-page/change/timeline/create', {
        page_id: page.page_id,
        change_id: changeId,
        status: form.status,
        description: form.description,
        component_changes: componentChangesOf(form.impacts, currentImpacts(event)),
      });
      await afterChange();
    }, 'Update posted.');
  };

  if (!event) {
    return (
      <Paper withBorder p="md">
        {action.error ? (
          <ErrorAlert error={action.error} onClose={props.onClose} />
        ) : (
          <Loader size="sm" aria-label="Loading the event" />
        )}
      </Paper>
    );
  }
  const ended = event.status === terminalStatus(event.type);
  const nameOf = (id: string) => page.components.find((c) => c.component_id === id)?.name ?? '';
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="event-title">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-start" gap="xs">
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Title
              order={3}
              size="h4"
              id="event-title"
              ref={heading}
              tabIndex={-1}
              style={{ overflowWrap: 'anywhere' }}
            >
              {event.title}
            </Title>
            <Group gap="xs">
              <Badge variant="outline" color="gray">
                {TYPE_WORDS[event.type]}
              </Badge>
              <StatusBadge status={event.status} />
            </Group>
          </Stack>
          <Group gap={4}>
            <Button size="compact-sm" variant="subtle" onClick={() => setRenaming(event.title)}>
              Rename
            </Button>
            <Button size="compact-sm" variant="subtle" color="red" onClick={() => setDeleting(true)}>
              Delete
            </Button>
            <Button size="compact-sm" variant="default" onClick={props.onClose}>
              Close
            </Button>
          </Group>
        </Group>
        <Text size="sm">
          {event.type === 'maintenance' ? 'Window: ' : 'Started '}
          {when(event.start_at_seconds)}
          {event.close_at_seconds > 0 && (ended || event.type === 'maintenance')
            ? ` – ${when(event.close_at_seconds)}${ended ? '' : ' (planned)'}`
            : ''}
        </Text>
        {event.affected_components.length > 0 && (
          <Text size="sm">
            Affects: {event.affected_components.map((c) => `${c.name} (${statusWords(c.status)})`).join(', ')}
          </Text>
        )}

        <form onSubmit={post} aria-label="Post an update">
          <Stack gap="sm" maw={640}>
            <Title order={4} size="h6">
              Post an update
            </Title>
            <TemplatePicker
              templates={props.templates.filter((t) => t.event_type === event.type)}
              onPick={(t) => {
                chooseStatus(t.status);
                setForm((f) => ({ ...f, description: t.description }));
              }}
            />
            <Group gap="sm" align="flex-end" wrap="wrap">
              <NativeSelect
                label="Status"
                data={EVENT_STATUSES[event.type].map((s) => ({ value: s, label: statusWords(s) }))}
                value={form.status}
                onChange={(e) => chooseStatus(e.currentTarget.value)}
                miw={180}
              />
              {!ended && (
                <Button variant="light" onClick={() => chooseStatus(terminalStatus(event.type))}>
                  {event.type === 'incident' ? 'Mark resolved' : 'Mark completed'}
                </Button>
              )}
            </Group>
            <Textarea
              label="Message"
              required
              autosize
              minRows={2}
              value={form.description}
              onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
            />
            <ImpactFields
              page={page}
              type={event.type}
              value={form.impacts}
              noneLabel="No change"
              onChange={(impacts) => setForm({ ...form, impacts })}
            />
            <ErrorAlert error={action.error} onClose={action.clearError} />
            <Group>
              <Button type="submit" loading={action.busy}>
                Post update
              </Button>
              <Notice text={action.notice} />
            </Group>
          </Stack>
        </form>

        <Title order={4} size="h6">
          Timeline
        </Title>
        <Stack
          component="ol"
          gap="xs"
          aria-label="Updates"
          style={{ listStyle: 'none', padding: 0, margin: 0 }}
        >
          {newestFirst(event.updates).map((update) => (
            <li key={update.update_id}>
              <Paper withBorder p="xs">
                <Group gap="xs" justify="space-between" wrap="wrap">
                  <Group gap="xs">
                    {update.status && <StatusBadge status={update.status} />}
                    <Text size="xs" c="dimmed">
                      {when(update.at_seconds)}
                    </Text>
                  </Group>
                  {event.updates.length > 1 && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color="red"
                      aria-label={`Delete the update of ${when(update.at_seconds)}`}
                      onClick={() => setRemovingUpdate(update.update_id)}
                    >
                      Delete
                    </Button>
                  )}
                </Group>
                <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                  {update.description}
                </Text>
                {update.component_changes.length > 0 && (
                  <Text size="xs" c="dimmed">
                    {describeChanges(update.component_changes, nameOf)}
                  </Text>
                )}
              </Paper>
            </li>
          ))}
        </Stack>
      </Stack>

      <Modal opened={renaming !== undefined} onClose={() => setRenaming(undefined)} title="Rename the event">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            const done = await action.run(async () => {
              await api.post('/status-page/change/update', {
                page_id: page.page_id,
                change_id: changeId,
                title: (renaming ?? '').trim(),
              });
              await afterChange();
            }, 'Renamed.');
            if (done) setRenaming(undefined);
          }}
        >
          <Stack gap="sm">
            <ErrorAlert error={action.error} onClose={action.clearError} />
            <TextInput
              label="Title"
              required
              data-autofocus
              value={renaming ?? ''}
              onChange={(e) => setRenaming(e.currentTarget.value)}
            />
            <Group justify="flex-end">
              <Button type="submit" loading={action.busy}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
      <ConfirmModal
        title={deleting ? `Delete “${event.title}”?` : undefined}
        body="It disappears from the page and its history, and stops counting in uptime. Subscribers are not told."
        confirmLabel="Delete the event"
        onClose={() => setDeleting(false)}
        onConfirm={() =>
          action.run(async () => {
            await api.post('/status-page/change/delete', { page_id: page.page_id, change_id: changeId });
            await props.onChanged();
            props.onClose();
          })
        }
      />
      <ConfirmModal
        title={removingUpdate ? 'Delete this update?' : undefined}
        body="The event's status and its components' statuses are worked out again from the updates that remain."
        confirmLabel="Delete the update"
        onClose={() => setRemovingUpdate(undefined)}
        onConfirm={() =>
          action.run(async () => {
            await api.post('/status-page/change/timeline/delete', {
              page_id: page.page_id,
              change_id: changeId,
              update_id: removingUpdate,
            });
            await afterChange();
          }, 'Update deleted.')
        }
      />
    </Paper>
  );
}
