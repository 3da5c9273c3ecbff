import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  Loader,
  Modal,
  MultiSelect,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { api, describeError } from '../api.ts';
import { useChecks } from '../field-checks.ts';
import { memberOptions } from '../memberOptions.ts';
import { withQuery } from '../statusPages.ts';
import type { Incident, IncidentPage } from '../types.ts';

/*
 * The incident page's dialogs that hand an incident on: reassign or escalate (/incident/assign),
 * add responders (/incident/responder/add), merge into another incident (/incident/merge), and
 * publish to a status page (/status-page/change/create-from-incident). Each is a modal with a
 * form: labelled fields, Enter submits, Escape closes, and the API's refusal is shown inside it.
 * Loaded on demand with the first dialog opened, so the incident list's first load stays small.
 */

export type ActionKind = 'assign' | 'responder' | 'merge' | 'publish';

type Props = {
  kind: ActionKind;
  incident: Incident;
  onClose(): void;
  /** After success: a sentence for the page, and where to go when the incident moved (merge). */
  onDone(message: string, goTo?: string): void;
};

const TITLES: Record<ActionKind, string> = {
  assign: 'Reassign or escalate',
  responder: 'Add responders',
  merge: 'Merge into another incident',
  publish: 'Publish to a status page',
};

/** The dialog of `kind`; one is open at a time. */
export function IncidentActionDialog(props: Props) {
  return (
    <Modal opened onClose={props.onClose} title={TITLES[props.kind]} size="lg">
      {props.kind === 'assign' && <AssignForm {...props} />}
      {props.kind === 'responder' && <ResponderForm {...props} />}
      {props.kind === 'merge' && <MergeForm {...props} />}
      {props.kind === 'publish' && <PublishForm {...props} />}
    </Modal>
  );
}

type Loadable<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/** Loads once per dialog; errors become sentences. */
function useLoad<T>(load: () => Promise<T>): Loadable<T> {
  const [result, setResult] = useState<Loadable<T>>({ state: 'loading' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once, when the dialog opens
  useEffect(() => {
    let current = true;
    load().then(
      (value) => current && setResult({ state: 'ready', value }),
      (error) => current && setResult({ state: 'error', message: describeError(error) }),
    );
    return () => {
      current = false;
    };
  }, []);
  return result;
}

/** Submits a form: busy while the call runs, the API's words on failure. */
function useSubmit(): {
  busy: boolean;
  error: string | undefined;
  run(call: () => Promise<void>): Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return {
    busy,
    error,
    async run(call) {
      setBusy(true);
      setError(undefined);
      try {
        await call();
      } catch (caught) {
        setError(describeError(caught));
      } finally {
        setBusy(false);
      }
    },
  };
}

function Buttons({
  busy,
  label,
  disabled,
  onCancel,
}: {
  busy: boolean;
  label: string;
  disabled?: boolean;
  onCancel(): void;
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" loading={busy} disabled={disabled}>
        {label}
      </Button>
    </Group>
  );
}

function Problem({ children }: { children: ReactNode }) {
  return (
    <Alert color="red" role="alert" title="That did not work">
      {children}
    </Alert>
  );
}

// Dropdowns render inside the dialog (not in a portal), so they stay in its focus trap and a
// test or a screen reader finds their options within it.
const INSIDE = { withinPortal: false } as const;

function AssignForm({ incident, onClose, onDone }: Props) {
  const [mode, setMode] = useState<'people' | 'layer'>('people');
  const [people, setPeople] = useState<string[]>([]);
  const [ruleId, setRuleId] = useState<string | null>(null);
  const [layer, setLayer] = useState<string | null>(null);
  const members = useLoad(memberOptions);
  const rules = useLoad(async () =>
    incident.channel_id
      ? (
          await api.post<{ items: EscalationRule[] }>('/channel/escalate/rule/list', {
            channel_id: incident.channel_id,
          })
        ).items
      : [],
  );
  const submit = useSubmit();
  const rule = rules.state === 'ready' ? rules.value.find((r) => r.rule_id === ruleId) : undefined;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      if (mode === 'people') {
        await api.post('/incident/assign', {
          incident_id: incident.incident_id,
          assigned_to: { person_ids: people.map(Number) },
        });
        const names = members.state === 'ready' ? members.value : [];
        onDone(
          `Assigned to ${people.map((id) => names.find((o) => o.value === id)?.label ?? `#${id}`).join(', ')}.`,
        );
      } else {
        await api.post('/incident/assign', {
          incident_id: incident.incident_id,
          assigned_to: { escalate_rule_id: ruleId, layer_idx: Number(layer) },
        });
        onDone(`Escalated to layer ${Number(layer) + 1} of ${rule?.rule_name ?? 'the rule'}.`);
      }
    });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Reassign or escalate">
      <Stack>
        <SegmentedControl
          aria-label="Assign to"
          value={mode}
          onChange={(value) => setMode(value as 'people' | 'layer')}
          data={[
            { value: 'people', label: 'People' },
            { value: 'layer', label: 'Escalation rule layer' },
          ]}
        />
        {mode === 'people' ? (
          <>
            <Text size="sm" c="dimmed">
              They are notified now on their own preferences, and the running escalation stops.
            </Text>
            {members.state === 'loading' && <Loader size="sm" aria-label="Loading the members" />}
            {members.state === 'error' && <Problem>{members.message}</Problem>}
            {members.state === 'ready' && (
              <MultiSelect
                label="People"
                placeholder="Pick one or more members"
                searchable
                data={members.value}
                value={people}
                onChange={setPeople}
                comboboxProps={INSIDE}
                nothingFoundMessage="No member has that name"
              />
            )}
          </>
        ) : (
          <>
            <Text size="sm" c="dimmed">
              The layer is notified now; its repeats and later layers then run as the rule says.
            </Text>
            {rules.state === 'loading' && <Loader size="sm" aria-label="Loading the escalation rules" />}
            {rules.state === 'error' && <Problem>{rules.message}</Problem>}
            {rules.state === 'ready' && rules.value.length === 0 && (
              <Text size="sm">
                {incident.channel_id
                  ? "This incident's channel has no escalation rule. Add one on the channel's escalation settings, or assign people."
                  : 'This incident belongs to no channel, so no escalation rule applies. Assign people instead.'}
              </Text>
            )}
            {rules.state === 'ready' && rules.value.length > 0 && (
              <>
                <Select
                  label="Escalation rule"
                  placeholder="Pick a rule"
                  data={rules.value.map((r) => ({
                    value: r.rule_id,
                    label: `${r.rule_name}${r.status === 'disabled' ? ' (disabled)' : ''}`,
                  }))}
                  value={ruleId}
                  onChange={(value) => {
                    setRuleId(value);
                    setLayer(value ? '0' : null);
                  }}
                  comboboxProps={INSIDE}
                  allowDeselect={false}
                />
                {rule && (
                  <Select
                    label="Layer"
                    data={rule.layers.map((l, i) => ({ value: String(i), label: describeLayer(l, i) }))}
                    value={layer}
                    onChange={setLayer}
                    comboboxProps={INSIDE}
                    allowDeselect={false}
                  />
                )}
              </>
            )}
          </>
        )}
        {submit.error && <Problem>{submit.error}</Problem>}
        <Buttons
          busy={submit.busy}
          label={mode === 'people' ? 'Assign' : 'Escalate'}
          disabled={mode === 'people' ? people.length === 0 : !ruleId || layer === null}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}

type EscalationRule = {
  rule_id: string;
  rule_name: string;
  status: string;
  layers: {
    target: {
      person_ids: number[];
      team_ids: number[];
      schedule_to_role_ids: Record<string, number[]>;
      emails: string[];
    };
  }[];
};

/** "Layer 1: 2 people, 1 schedule". */
function describeLayer(layer: EscalationRule['layers'][number], index: number): string {
  const t = layer.target;
  const count = (n: number, one: string, many: string) => (n ? [`${n} ${n === 1 ? one : many}`] : []);
  const parts = [
    ...count(t.person_ids.length + t.emails.length, 'person', 'people'),
    ...count(t.team_ids.length, 'team', 'teams'),
    ...count(Object.keys(t.schedule_to_role_ids).length, 'schedule', 'schedules'),
  ];
  return `Layer ${index + 1}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

function ResponderForm({ incident, onClose, onDone }: Props) {
  const [people, setPeople] = useState<string[]>([]);
  const [notify, setNotify] = useState(true);
  const members = useLoad(memberOptions);
  const submit = useSubmit();
  const already = new Set(incident.responders.map((r) => String(r.person_id)));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit.run(async () => {
      await api.post('/incident/responder/add', {
        incident_id: incident.incident_id,
        person_ids: people.map(Number),
        ...(notify ? { notify: { follow_preference: true } } : {}),
      });
      const names = members.state === 'ready' ? members.value : [];
      onDone(
        `Added ${people.map((id) => names.find((o) => o.value === id)?.label ?? `#${id}`).join(', ')} as responder${people.length > 1 ? 's' : ''}.`,
      );
    });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Add responders">
      <Stack>
        <Text size="sm" c="dimmed">
          Responders help with the incident; who it is assigned to does not change.
        </Text>
        {members.state === 'loading' && <Loader size="sm" aria-label="Loading the members" />}
        {members.state === 'error' && <Problem>{members.message}</Problem>}
        {members.state === 'ready' && (
          <MultiSelect
            label="People"
            placeholder="Pick one or more members"
            searchable
            data={members.value.filter((o) => !already.has(o.value))}
            value={people}
            onChange={setPeople}
            comboboxProps={INSIDE}
            nothingFoundMessage="No other member has that name"
          />
        )}
        <Checkbox
          label="Notify them now, on their own notification preferences"
          checked={notify}
          onChange={(e) => setNotify(e.currentTarget.checked)}
        />
        {submit.error && <Problem>{submit.error}</Problem>}
        <Buttons busy={submit.busy} label="Add" disabled={people.length === 0} onCancel={onClose} />
      </Stack>
    </form>
  );
}

/** Active incidents of the last 31 days (the most /incident/list searches at once), this one left out. */
async function activeIncidents(self: string): Promise<Incident[]> {
  const end = Math.ceil(Date.now() / 1000) + 60;
  const page = await api.post<IncidentPage>('/incident/list', {
    start_time: end - 31 * 24 * 3600,
    end_time: end,
    progress: 'Triggered,Processing',
    limit: 100,
  });
  return page.items.filter((i) => i.incident_id !== self);
}

function MergeForm({ incident, onClose, onDone }: Props) {
  const checks = useChecks('/incident/merge', { comment: 'comment' });
  const [target, setTarget] = useState<string | null>(null);
  const [comment, setComment] = useState('');
  const candidates = useLoad(() => activeIncidents(incident.incident_id));
  const submit = useSubmit();

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    void submit.run(async () => {
      await api.post('/incident/merge', {
        source_incident_ids: [incident.incident_id],
        target_incident_id: target,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      const into =
        candidates.state === 'ready' ? candidates.value.find((i) => i.incident_id === target) : undefined;
      onDone(`Merged into #${into?.num ?? ''} ${into?.title ?? ''}`.trim(), `/incident/detail/${target}`);
    });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Merge into another incident">
      <Stack>
        <Text size="sm" c="dimmed">
          This incident's alerts move to the one you pick, and this incident is closed.
        </Text>
        {candidates.state === 'loading' && <Loader size="sm" aria-label="Loading the open incidents" />}
        {candidates.state === 'error' && <Problem>{candidates.message}</Problem>}
        {candidates.state === 'ready' && candidates.value.length === 0 && (
          <Text size="sm">
            No other incident is open or acknowledged in the last 31 days, so there is nothing to merge into.
            Reopen the one you mean first.
          </Text>
        )}
        {candidates.state === 'ready' && candidates.value.length > 0 && (
          <Select
            label="Merge into"
            placeholder="Search the open incidents"
            searchable
            data={candidates.value.map((i) => ({ value: i.incident_id, label: `#${i.num} ${i.title}` }))}
            value={target}
            onChange={setTarget}
            comboboxProps={INSIDE}
            nothingFoundMessage="No open incident matches"
          />
        )}
        <Textarea
          label="Comment"
          description="Optional: why they are one incident"
          autosize
          minRows={2}
          error={checks.error('comment', comment)}
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
        />
        {submit.error && <Problem>{submit.error}</Problem>}
        <Buttons busy={submit.busy} label="Merge" disabled={!target} onCancel={onClose} />
      </Stack>
    </form>
  );
}

type StatusPage = {
  page_id: number;
  name: string;
  public_url: string;
  components: { component_id: string; name: string; status: string }[];
};

const IMPACTS = [
  { value: 'degraded', label: 'Degraded performance' },
  { value: 'partial_outage', label: 'Partial outage' },
  { value: 'full_outage', label: 'Full outage' },
];
const STATUSES = [
  { value: 'investigating', label: 'Investigating' },
  { value: 'identified', label: 'Identified' },
  { value: 'monitoring', label: 'Monitoring' },
];

type PageTemplate = { type: string; event_type: string; status: string; title: string; description: string };

/** The page's "new incident" template for `status` (else any of them): what to tell customers. */
function pickTemplate(templates: readonly PageTemplate[], status: string): PageTemplate | undefined {
  const incidents = templates.filter((t) => t.type === 'pre_defined' && t.event_type === 'incident');
  return incidents.find((t) => t.status === status) ?? incidents[0];
}

/** Without a template: a neutral sentence naming only what customers see (the components). */
function neutralMessage(componentNames: readonly string[]): string {
  const what = componentNames.length > 0 ? componentNames.join(', ') : 'our service';
  return `We are investigating reports of problems with ${what}. We will post an update as soon as we know more.`;
}

function PublishForm({ incident, onClose, onDone }: Props) {
  const checks = useChecks('/status-page/change/create-from-incident', {
    title: 'title',
    description: 'description',
  });
  const pages = useLoad(async () => (await api.get<{ items: StatusPage[] }>('/status-page/list')).items);
  const [pageId, setPageId] = useState<string | null>(null);
  const [components, setComponents] = useState<string[]>([]);
  const [impact, setImpact] = useState('partial_outage');
  const [status, setStatus] = useState('investigating');
  const [title, setTitle] = useState(incident.title.slice(0, 255));
  const [message, setMessage] = useState('');
  /** Once the publisher types, the template no longer rewrites their text. */
  const [edited, setEdited] = useState({ title: false, message: false });
  const [templates, setTemplates] = useState<PageTemplate[]>([]);
  const [notify, setNotify] = useState(false);
  const submit = useSubmit();
  const page = pages.state === 'ready' ? pages.value.find((p) => String(p.page_id) === pageId) : undefined;

  useEffect(() => {
    if (pages.state === 'ready' && pages.value.length === 1 && pageId === null)
      setPageId(String(pages.value[0]!.page_id));
  }, [pages, pageId]);

  useEffect(() => {
    if (!pageId) return;
    let current = true;
    api
      .get<{ items: PageTemplate[] }>(
        withQuery('/status-page/template/list', {
          page_id: Number(pageId),
          type: 'pre_defined',
          event_type: 'incident',
        }),
      )
      .then(
        (list) => current && setTemplates(list.items),
        () => current && setTemplates([]),
      );
    return () => {
      current = false;
    };
  }, [pageId]);

  const names = (page?.components ?? [])
    .filter((c) => components.includes(c.component_id))
    .map((c) => c.name);
  const template = pickTemplate(templates, status);
  // The message follows the template (or the neutral sentence) until the publisher edits it.
  const shownMessage = edited.message ? message : (template?.description ?? neutralMessage(names));
  const shownTitle = edited.title || !template?.title ? title : template.title;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!page) return;
    void submit.run(async () => {
      await api.post('/status-page/change/create-from-incident', {
        page_id: page.page_id,
        incident_id: incident.incident_id,
        component_changes: components.map((component_id) => ({ component_id, status: impact })),
        title: shownTitle.trim(),
        description: shownMessage.trim(),
        status,
        notify_subscribers: notify,
      });
      onDone(`Published to the status page ${page.name}.`);
    });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Publish to a status page">
      <Stack>
        {pages.state === 'loading' && <Loader size="sm" aria-label="Loading the status pages" />}
        {pages.state === 'error' && <Problem>{pages.message}</Problem>}
        {pages.state === 'ready' && pages.value.length === 0 && (
          <Text size="sm">
            The account has no status page yet. Create one (with the components your users see), then publish
            this incident to it.
          </Text>
        )}
        {pages.state === 'ready' && pages.value.length > 0 && (
          <Select
            label="Status page"
            placeholder="Pick a page"
            data={pages.value.map((p) => ({ value: String(p.page_id), label: p.name }))}
            value={pageId}
            onChange={(value) => {
              setPageId(value);
              setComponents([]);
            }}
            comboboxProps={INSIDE}
            allowDeselect={false}
          />
        )}
        {page && page.components.length === 0 && (
          <Text size="sm">
            {page.name} has no components. Add the parts of your service to the page first, then publish.
          </Text>
        )}
        {page && page.components.length > 0 && (
          <>
            <Checkbox.Group label="Affected components" value={components} onChange={setComponents}>
              <Stack gap={6} mt={6}>
                {page.components.map((c) => (
                  <Checkbox key={c.component_id} value={c.component_id} label={c.name} />
                ))}
              </Stack>
            </Checkbox.Group>
            <Select
              label="Impact"
              data={IMPACTS}
              value={impact}
              onChange={(value) => value && setImpact(value)}
              comboboxProps={INSIDE}
              allowDeselect={false}
            />
            <Select
              label="Status"
              data={STATUSES}
              value={status}
              onChange={(value) => value && setStatus(value)}
              comboboxProps={INSIDE}
              allowDeselect={false}
            />
            <TextInput
              label="Title on the page"
              error={checks.error('title', shownTitle)}
              value={shownTitle}
              onChange={(e) => {
                setEdited({ ...edited, title: true });
                setTitle(e.currentTarget.value);
              }}
            />
            <Textarea
              label="Message to customers"
              description={
                template
                  ? 'From the page’s template; the incident’s own description is never published.'
                  : 'Customers read this on the page, its feeds and e-mails; the incident’s own description is never published.'
              }
              autosize
              minRows={3}
              error={checks.error('description', shownMessage)}
              value={shownMessage}
              onChange={(e) => {
                setEdited({ ...edited, message: true });
                setMessage(e.currentTarget.value);
              }}
            />
            <Checkbox
              label="Notify the page's subscribers"
              checked={notify}
              onChange={(e) => setNotify(e.currentTarget.checked)}
            />
            <section
              aria-label="Preview"
              style={{ border: '1px solid var(--mantine-color-gray-4)', borderRadius: 6, padding: 12 }}
            >
              <Text size="xs" c="dimmed" mb={4}>
                Preview: what customers will see
              </Text>
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {shownTitle.trim() || 'A title is needed'}
              </Text>
              <Text size="sm">
                {STATUSES.find((s) => s.value === status)?.label}
                {names.length > 0 &&
                  ` · ${IMPACTS.find((i) => i.value === impact)?.label} of ${names.join(', ')}`}
              </Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                {shownMessage.trim() || 'A message is needed'}
              </Text>
            </section>
            <Text size="xs" c="dimmed">
              Published at{' '}
              <Anchor href={page.public_url} target="_blank" rel="noreferrer">
                {page.public_url}
              </Anchor>
            </Text>
          </>
        )}
        {submit.error && <Problem>{submit.error}</Problem>}
        <Buttons
          busy={submit.busy}
          label="Publish"
          disabled={!page || components.length === 0 || !shownTitle.trim() || !shownMessage.trim()}
          onCancel={onClose}
        />
      </Stack>
    </form>
  );
}
