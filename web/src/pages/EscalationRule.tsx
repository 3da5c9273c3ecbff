import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Checkbox,
  Chip,
  Fieldset,
  Group,
  List,
  Loader,
  MultiSelect,
  NativeSelect,
  NumberInput,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, describeError } from '../api.ts';
import { ConfirmModal } from '../components/feedback.tsx';
import { RuleConditions } from '../components/RuleConditions.tsx';
import {
  type ApiRule,
  describeWarning,
  emptyLayer,
  emptyRule,
  emptyWebhook,
  emptyWindow,
  formToBody,
  type HeadsUpItem,
  type Hint,
  hintFor,
  type LayerForm,
  type Names,
  PERSONAL_CHANNELS,
  type RuleForm,
  ruleHints,
  ruleToForm,
  SEVERITIES,
  WEBHOOK_TYPES,
  WEEKDAYS,
  type WindowForm,
} from '../escalation.ts';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';

/*
 * The escalation-rule editor (/escalation-rules/new?channel_id= and /escalation-rules/:id):
 * name, status, layers (who, how, repeats, escalation), time windows, filter and template, saved
 * through /channel/escalate/rule/create|update|enable|disable|delete. Next to an existing rule it
 * shows the heads-up check: who would be reached by nobody, and schedule gaps.
 */

type Option = { value: string; label: string };
type Refs = {
  people: Option[];
  teams: Option[];
  schedules: Option[];
  roles: Option[];
  calendars: Option[];
  templates: Option[];
};

function useRefs(): { refs?: Refs; error?: string } {
  const [state, setState] = useState<{ refs?: Refs; error?: string }>({});
  useEffect(() => {
    const optional = <T,>(p: Promise<T>, fallback: T) => p.catch(() => fallback);
    Promise.all([
      api.post<{ items: { member_id: number; member_name: string }[] }>('/member/list', {
        limit: 100,
        asc: true,
      }),
      optional(api.post<{ items: { team_id: number; team_name: string }[] }>('/team/list', { limit: 100 }), {
        items: [],
      }),
      optional(
        api.post<{ items: { schedule_id: number; schedule_name: string | null }[] }>('/schedule/list', {
          limit: 100,
        }),
        { items: [] },
      ),
      optional(api.get<{ id: number; name: string }[]>('/oncall/roles'), [
        { id: 0, name: 'Primary' },
        { id: 1, name: 'Backup' },
      ]),
      optional(api.post<{ items: { cal_id: string; cal_name: string }[] }>('/calendar/list', {}), {
        items: [],
      }),
      optional(
        api.post<{ items: { template_id: string; template_name: string }[] }>('/template/list', {
          limit: 100,
        }),
        {
          items: [],
        },
      ),
    ])
      .then(([members, teams, schedules, roles, calendars, templates]) =>
        setState({
          refs: {
            people: members.items.map((m) => ({ value: String(m.member_id), label: m.member_name })),
            teams: teams.items.map((t) => ({ value: String(t.team_id), label: t.team_name })),
            schedules: schedules.items.map((s) => ({
              value: String(s.schedule_id),
              label: s.schedule_name ?? `Schedule ${s.schedule_id}`,
            })),
            roles: roles.map((r) => ({ value: String(r.id), label: r.name })),
            calendars: calendars.items.map((c) => ({ value: c.cal_id, label: c.cal_name })),
            templates: templates.items.map((t) => ({ value: t.template_id, label: t.template_name })),
          },
        }),
      )
      .catch((caught) => setState({ error: describeError(caught) }));
  }, []);
  return state;
}

/** After a save the outcome and the heads-up are at the top of the page: show them. */
function toTop(): void {
  window.scrollTo({ top: 0 });
}

/** Keeps an id the lists do not know (a deleted member, a schedule one may not read) selectable. */
function withKnown(options: Option[], ids: string[], noun: string): Option[] {
  const missing = ids.filter((id) => !options.some((o) => o.value === id));
  return [...options, ...missing.map((id) => ({ value: id, label: `${noun} ${id}` }))];
}

export function EscalationRulePage({ ruleId }: { ruleId?: string }) {
  const checks = useChecks('/channel/escalate/rule/create', {
    name: 'rule_name',
    description: 'description',
  });
  const search = useSearch();
  const [, navigate] = useLocation();
  const { member, timeZone } = useSession();
  const [channelId, setChannelId] = useState<number | undefined>(
    Number(new URLSearchParams(search).get('channel_id')) || undefined,
  );
  const { refs, error: refsError } = useRefs();
  const [form, setForm] = useState<RuleForm | undefined>(ruleId ? undefined : emptyRule());
  const [stored, setStored] = useState<ApiRule>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [showHints, setShowHints] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [headsUp, setHeadsUp] = useState<HeadsUpItem[]>();

  const load = useCallback(async () => {
    if (!ruleId) return;
    try {
      let channel = channelId;
      if (!channel) {
        // An address without the channel: find the rule among the channels' rules.
        const channels = await api.post<{ items: { channel_id: number }[] }>('/channel/list', { limit: 100 });
        for (const c of channels.items) {
          const list = await api.post<{ items: ApiRule[] }>('/channel/escalate/rule/list', {
            channel_id: c.channel_id,
          });
          if (list.items.some((r) => r.rule_id === ruleId)) channel = c.channel_id;
          if (channel) break;
        }
        if (!channel) throw new Error(`No channel has the escalation rule ${ruleId}.`);
        setChannelId(channel);
      }
      const rule = await api.post<ApiRule>('/channel/escalate/rule/info', {
        channel_id: channel,
        rule_id: ruleId,
      });
      setStored(rule);
      setForm(ruleToForm(rule));
      const heads = await api.post<{ items: HeadsUpItem[] }>('/channel/escalate/rule/heads-up', {
        channel_id: channel,
      });
      setHeadsUp(heads.items.filter((item) => item.rule_id === ruleId));
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [ruleId, channelId]);
  useEffect(() => {
    void load();
  }, [load]);

  const hints = useMemo(() => (form && showHints ? ruleHints(form) : []), [form, showHints]);

  const names = useMemo<Names>(() => {
    const find = (options: Option[] | undefined, id: number, noun: string) =>
      options?.find((o) => o.value === String(id))?.label ?? `${noun} ${id}`;
    return {
      person: (id) => find(refs?.people, id, 'person'),
      team: (id) => find(refs?.teams, id, 'team'),
      schedule: (id) => find(refs?.schedules, id, 'schedule'),
      time: (seconds) => formatTime(seconds * 1000, timeZone, member.locale || 'en-US'),
    };
  }, [refs, timeZone, member.locale]);

  if (!channelId && !ruleId) {
    return (
      <Alert color="yellow" title="Which channel?">
        A rule belongs to a channel. <Link href="/escalation-rules">Pick the channel</Link>, then use “New
        rule”.
      </Alert>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form || !channelId) return;
    setShowHints(true);
    setSaved(undefined);
    const problems = ruleHints(form);
    if (problems.length > 0) {
      setError(`Check the marked fields: ${problems.map((p) => `${p.field}: ${p.message}`).join(' ')}`);
      toTop();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body = { channel_id: channelId, ...formToBody(form) };
      let id = ruleId;
      if (id) await api.post('/channel/escalate/rule/update', { ...body, rule_id: id });
      else id = (await api.post<{ rule_id: string }>('/channel/escalate/rule/create', body)).rule_id;
      const wasEnabled = stored ? stored.status === 'enabled' : true;
      if (form.enabled !== wasEnabled) {
        await api.post(`/channel/escalate/rule/${form.enabled ? 'enable' : 'disable'}`, {
          channel_id: channelId,
          rule_id: id,
        });
      }
      if (!ruleId) {
        navigate(`/escalation-rules/${id}?channel_id=${channelId}`, { replace: true });
        return;
      }
      setSaved('Saved.');
      await load();
      toTop();
    } catch (caught) {
      setError(describeError(caught));
      toTop();
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!ruleId || !channelId) return;
    setBusy(true);
    try {
      await api.post('/channel/escalate/rule/delete', { channel_id: channelId, rule_id: ruleId });
      navigate(`/escalation-rules?channel_id=${channelId}`);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
      setConfirmDelete(false);
    }
  };

  const set = (patch: Partial<RuleForm>) => setForm((f) => (f ? { ...f, ...patch } : f));
  const setLayer = (i: number, layer: LayerForm) =>
    setForm((f) => (f ? { ...f, layers: f.layers.map((l, j) => (j === i ? layer : l)) } : f));
  const setWindow = (i: number, w: WindowForm) =>
    setForm((f) => (f ? { ...f, windows: f.windows.map((x, j) => (j === i ? w : x)) } : f));

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>{ruleId ? (stored?.rule_name ?? 'Escalation rule') : 'New escalation rule'}</Title>
        <Button
          component={Link}
          variant="default"
          href={`/escalation-rules${channelId ? `?channel_id=${channelId}` : ''}`}
        >
          All rules
        </Button>
      </Group>
      {(error || refsError) && (
        <Alert
          color="red"
          title="That did not work"
          role="alert"
          withCloseButton
          onClose={() => setError(undefined)}
        >
          {error ?? refsError}
        </Alert>
      )}
      {saved && (
        <Alert color="green" role="status" withCloseButton onClose={() => setSaved(undefined)}>
          {saved}
        </Alert>
      )}
      {(!form || !refs) && !error && !refsError && <Loader aria-label="Loading the rule" />}
      {form && refs && (
        <>
          {ruleId && <HeadsUp items={headsUp} names={names} disabled={stored?.status === 'disabled'} />}
          <form onSubmit={submit} aria-label="Escalation rule" noValidate>
            <Stack gap="md">
              <Group align="flex-start" gap="sm" wrap="wrap">
                <TextInput
                  label="Name"
                  required
                  error={hintFor(hints, 'rule_name') ?? checks.error('name', form.name)}
                  value={form.name}
                  onChange={(e) => set({ name: e.currentTarget.value })}
                  w={{ base: '100%', sm: 280 }}
                />
                <NativeSelect
                  label="Template"
                  data={withKnown(refs.templates, [form.templateId], 'template')}
                  value={form.templateId}
                  onChange={(e) => set({ templateId: e.currentTarget.value })}
                  w={{ base: '100%', sm: 220 }}
                />
                <NumberInput
                  label="Priority"
                  description="lower matches first"
                  min={0}
                  max={200}
                  allowDecimal={false}
                  value={form.priority}
                  onChange={(v) => set({ priority: Number(v) || 0 })}
                  w={{ base: '100%', xs: 140 }}
                />
                <NumberInput
                  label="Wait before the first notification (seconds)"
                  min={0}
                  max={3600}
                  allowDecimal={false}
                  value={form.aggrWindow}
                  onChange={(v) => set({ aggrWindow: Number(v) || 0 })}
                  w={{ base: '100%', sm: 300 }}
                />
              </Group>
              <Textarea
                label="Description"
                autosize
                minRows={2}
                error={hintFor(hints, 'description') ?? checks.error('description', form.description)}
                value={form.description}
                onChange={(e) => set({ description: e.currentTarget.value })}
              />
              <Switch
                label="Enabled"
                checked={form.enabled}
                onChange={(e) => set({ enabled: e.currentTarget.checked })}
              />

              <Title order={3} size="h4">
                Layers
              </Title>
              <Text size="sm" c="dimmed">
                Layer 1 is told first; when nobody acknowledges within its escalation time, the next layer is
                told.
              </Text>
              {form.layers.map((layer, i) => (
                <LayerEditor
                  // biome-ignore lint/suspicious/noArrayIndexKey: layers have no identity but their place
                  key={i}
                  index={i}
                  layer={layer}
                  last={i === form.layers.length - 1}
                  refs={refs}
                  hints={hints}
                  onChange={(next) => setLayer(i, next)}
                  onRemove={
                    form.layers.length > 1
                      ? () => set({ layers: form.layers.filter((_, j) => j !== i) })
                      : undefined
                  }
                />
              ))}
              {form.layers.length < 10 && (
                <Button
                  variant="default"
                  w="fit-content"
                  onClick={() => set({ layers: [...form.layers, emptyLayer()] })}
                >
                  Add a layer
                </Button>
              )}

              <Title order={3} size="h4">
                Time windows
              </Title>
              <Text size="sm" c="dimmed">
                {form.windows.length === 0
                  ? 'No window: the rule applies at any time. Add one to limit it, e.g. to working hours.'
                  : `Wall-clock times in the account's time zone (${member.account_time_zone || 'UTC'}); the rule applies within any of these windows.`}
              </Text>
              {form.windows.map((w, i) => (
                <WindowEditor
                  // biome-ignore lint/suspicious/noArrayIndexKey: windows have no identity but their place
                  key={i}
                  index={i}
                  value={w}
                  calendars={refs.calendars}
                  hints={hints}
                  onChange={(next) => setWindow(i, next)}
                  onRemove={() => set({ windows: form.windows.filter((_, j) => j !== i) })}
                />
              ))}
              <Button
                variant="default"
                w="fit-content"
                onClick={() => set({ windows: [...form.windows, emptyWindow()] })}
              >
                Add a time window
              </Button>

              <Title order={3} size="h4">
                Filter
              </Title>
              <RuleConditions value={form.filters} onChange={(filters) => set({ filters })} hints={hints} />

              <Group gap="sm">
                <Button type="submit" loading={busy}>
                  {ruleId ? 'Save' : 'Create rule'}
                </Button>
                {ruleId && (
                  <Button color="red" variant="light" onClick={() => setConfirmDelete(true)} disabled={busy}>
                    Delete
                  </Button>
                )}
              </Group>
            </Stack>
          </form>
        </>
      )}
      <ConfirmModal
        title={confirmDelete ? 'Delete this rule?' : undefined}
        body="Incidents the rule would take go to the next matching rule, or notify nobody. Incidents it already escalates keep their copy of it."
        confirmLabel="Delete the rule"
        onConfirm={remove}
        onClose={() => setConfirmDelete(false)}
      />
    </Stack>
  );
}

function HeadsUp({ items, names, disabled }: { items?: HeadsUpItem[]; names: Names; disabled: boolean }) {
  if (!items) return <Loader size="sm" aria-label="Checking who would be reached" />;
  if (disabled) {
    return (
      <Alert color="gray" title="Heads-up">
        The rule is disabled, so it takes no incident; the check covers enabled rules.
      </Alert>
    );
  }
  if (items.length === 0) {
    return (
      <Alert color="green" title="Heads-up: everybody can be reached" role="status">
        Over the next 7 days every layer reaches somebody: people have a working contact method, teams have
        members, schedules have someone on call.
      </Alert>
    );
  }
  return (
    <Alert color="orange" title="Heads-up: parts of this rule would reach nobody" role="status">
      <List size="sm" spacing={4}>
        {items.flatMap((item) =>
          item.warnings.map((w, j) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: warnings have no identity but their place
            <List.Item key={`${item.layer_idx}-${j}`}>
              Layer {item.layer_idx + 1}: {describeWarning(w, names)}
            </List.Item>
          )),
        )}
      </List>
    </Alert>
  );
}

function LayerEditor({
  index,
  layer,
  last,
  refs,
  hints,
  onChange,
  onRemove,
}: {
  index: number;
  layer: LayerForm;
  last: boolean;
  refs: Refs;
  hints: readonly Hint[];
  onChange: (layer: LayerForm) => void;
  onRemove?: (() => void) | undefined;
}) {
  const at = `layers[${index}]`;
  const set = (patch: Partial<LayerForm>) => onChange({ ...layer, ...patch });
  return (
    <Fieldset legend={`Layer ${index + 1}`} p="sm">
      <Stack gap="sm">
        <Text size="sm" fw={500}>
          Who
        </Text>
        {hintFor(hints, `${at}.target`) && (
          <Text size="sm" c="red" role="alert">
            {hintFor(hints, `${at}.target`)}
          </Text>
        )}
        <Group gap="sm" align="flex-start" wrap="wrap">
          <MultiSelect
            label="Persons"
            searchable
            data={withKnown(refs.people, layer.personIds, 'person')}
            value={layer.personIds}
            onChange={(personIds) => set({ personIds })}
            w={{ base: '100%', sm: 300 }}
            nothingFoundMessage="No such member"
          />
          <MultiSelect
            label="Teams"
            searchable
            data={withKnown(refs.teams, layer.teamIds, 'team')}
            value={layer.teamIds}
            onChange={(teamIds) => set({ teamIds })}
            w={{ base: '100%', sm: 300 }}
            nothingFoundMessage="No teams yet"
          />
          <TextInput
            label="E-mail addresses"
            description="comma-separated, for people without an account"
            value={layer.emails}
            onChange={(e) => set({ emails: e.currentTarget.value })}
            w={{ base: '100%', sm: 300 }}
          />
        </Group>
        {layer.schedules.map((s, j) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: schedules entries have no identity but their place
          <Group key={j} gap="sm" align="flex-end" wrap="wrap">
            <NativeSelect
              label={`Schedule ${j + 1}`}
              data={[
                { value: '', label: 'Pick a schedule' },
                ...withKnown(refs.schedules, s.scheduleId ? [s.scheduleId] : [], 'schedule'),
              ]}
              value={s.scheduleId}
              onChange={(e) =>
                set({
                  schedules: layer.schedules.map((x, k) =>
                    k === j ? { ...x, scheduleId: e.currentTarget.value } : x,
                  ),
                })
              }
              w={{ base: '100%', sm: 260 }}
            />
            <Checkbox.Group
              label={`On-call roles of schedule ${j + 1}`}
              description="none: whoever is on call"
              value={s.roleIds}
              onChange={(roleIds) =>
                set({ schedules: layer.schedules.map((x, k) => (k === j ? { ...x, roleIds } : x)) })
              }
            >
              <Group gap="sm" mt={4}>
                {refs.roles.map((r) => (
                  <Checkbox key={r.value} value={r.value} label={r.label} />
                ))}
              </Group>
            </Checkbox.Group>
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Remove schedule ${j + 1}`}
              onClick={() => set({ schedules: layer.schedules.filter((_, k) => k !== j) })}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        <Button
          variant="subtle"
          size="compact-sm"
          w="fit-content"
          onClick={() =>
            set({
              schedules: [...layer.schedules, { scheduleId: refs.schedules[0]?.value ?? '', roleIds: [] }],
            })
          }
        >
          Add a schedule
        </Button>
        {refs.schedules.length === 0 && layer.schedules.length > 0 && (
          <Text size="sm" c="dimmed">
            No schedules yet: create one under schedules first.
          </Text>
        )}

        <Text size="sm" fw={500}>
          How
        </Text>
        {hintFor(hints, `${at}.target.by`) && (
          <Text size="sm" c="red" role="alert">
            {hintFor(hints, `${at}.target.by`)}
          </Text>
        )}
        <Switch
          label="Notify the people personally"
          checked={layer.notifyPeople}
          onChange={(e) => set({ notifyPeople: e.currentTarget.checked })}
        />
        {layer.notifyPeople && (
          <NativeSelect
            label="Through"
            data={[
              { value: 'preference', label: "each person's own preferences" },
              { value: 'channels', label: 'these channels, by severity' },
            ]}
            value={layer.followPreference ? 'preference' : 'channels'}
            onChange={(e) => set({ followPreference: e.currentTarget.value === 'preference' })}
            w={{ base: '100%', sm: 300 }}
          />
        )}
        {layer.notifyPeople && !layer.followPreference && (
          <Group gap="sm" align="flex-start" wrap="wrap">
            {SEVERITIES.map((severity) => (
              <MultiSelect
                key={severity}
                searchable
                label={`${severity[0]!.toUpperCase()}${severity.slice(1)} incidents`}
                data={PERSONAL_CHANNELS.map((c) => ({ value: c.value, label: c.label }))}
                value={layer.by[severity]}
                onChange={(values) => set({ by: { ...layer.by, [severity]: values } })}
                w={{ base: '100%', sm: 220 }}
              />
            ))}
          </Group>
        )}
        {layer.webhooks.map((w, j) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: chats have no identity but their place
          <Group key={j} gap="sm" align="flex-start" wrap="wrap">
            <NativeSelect
              label={`Group chat ${j + 1}`}
              data={[...WEBHOOK_TYPES]}
              value={w.type}
              onChange={(e) =>
                set({
                  webhooks: layer.webhooks.map((x, k) =>
                    k === j ? { ...x, type: e.currentTarget.value } : x,
                  ),
                })
              }
              w={{ base: '100%', sm: 150 }}
            />
            {w.type === 'telegram' ? (
              <>
                <TextInput
                  label={`Bot token of chat ${j + 1}`}
                  value={w.token}
                  onChange={(e) =>
                    set({
                      webhooks: layer.webhooks.map((x, k) =>
                        k === j ? { ...x, token: e.currentTarget.value } : x,
                      ),
                    })
                  }
                  error={hintFor(hints, `${at}.target.webhooks[${j}]`)}
                  w={{ base: '100%', sm: 240 }}
                />
                <TextInput
                  label={`Chat id of chat ${j + 1}`}
                  value={w.chatId}
                  onChange={(e) =>
                    set({
                      webhooks: layer.webhooks.map((x, k) =>
                        k === j ? { ...x, chatId: e.currentTarget.value } : x,
                      ),
                    })
                  }
                  w={{ base: '100%', sm: 160 }}
                />
              </>
            ) : (
              <>
                <TextInput
                  label={`Webhook URL of chat ${j + 1}`}
                  type="url"
                  value={w.url}
                  onChange={(e) =>
                    set({
                      webhooks: layer.webhooks.map((x, k) =>
                        k === j ? { ...x, url: e.currentTarget.value } : x,
                      ),
                    })
                  }
                  error={hintFor(hints, `${at}.target.webhooks[${j}].settings.url`)}
                  w={{ base: '100%', sm: 320 }}
                />
                <TextInput
                  label={`Signing secret of chat ${j + 1}`}
                  description="if the bot has one"
                  value={w.secret}
                  onChange={(e) =>
                    set({
                      webhooks: layer.webhooks.map((x, k) =>
                        k === j ? { ...x, secret: e.currentTarget.value } : x,
                      ),
                    })
                  }
                  w={{ base: '100%', sm: 200 }}
                />
              </>
            )}
            <ActionIcon
              variant="subtle"
              color="red"
              mt={28}
              aria-label={`Remove chat ${j + 1}`}
              onClick={() => set({ webhooks: layer.webhooks.filter((_, k) => k !== j) })}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        <Button
          variant="subtle"
          size="compact-sm"
          w="fit-content"
          onClick={() => set({ webhooks: [...layer.webhooks, emptyWebhook()] })}
        >
          Add a group chat
        </Button>

        <Text size="sm" fw={500}>
          Repeat and escalate
        </Text>
        <Group gap="sm" align="flex-start" wrap="wrap">
          <NumberInput
            label="Repeat times"
            description="0 to 6"
            min={0}
            max={6}
            allowDecimal={false}
            value={layer.maxTimes}
            onChange={(v) => set({ maxTimes: Number(v) })}
            error={hintFor(hints, `${at}.max_times`)}
            w={{ base: '100%', xs: 140 }}
          />
          <NumberInput
            label="Minutes between repeats"
            description="0.5 to 120"
            min={0.5}
            max={120}
            step={0.5}
            decimalScale={1}
            value={layer.notifyStep}
            onChange={(v) => set({ notifyStep: Number(v) })}
            error={hintFor(hints, `${at}.notify_step`)}
            w={{ base: '100%', xs: 200 }}
          />
          <NumberInput
            label={last ? 'Minutes before escalating' : `Minutes before escalating to layer ${index + 2}`}
            description={last ? 'the last layer: nothing follows' : '0 to 720'}
            min={0}
            max={720}
            allowDecimal={false}
            value={layer.escalateWindow}
            onChange={(v) => set({ escalateWindow: Number(v) })}
            error={hintFor(hints, `${at}.escalate_window`)}
            w={{ base: '100%', xs: 260 }}
          />
        </Group>
        <Checkbox
          label="Escalate even when acknowledged (until closed)"
          checked={layer.forceEscalate}
          onChange={(e) => set({ forceEscalate: e.currentTarget.checked })}
        />
        {onRemove && (
          <Button color="red" variant="subtle" size="compact-sm" w="fit-content" onClick={onRemove}>
            Remove layer {index + 1}
          </Button>
        )}
      </Stack>
    </Fieldset>
  );
}

function WindowEditor({
  index,
  value,
  calendars,
  hints,
  onChange,
  onRemove,
}: {
  index: number;
  value: WindowForm;
  calendars: Option[];
  hints: readonly Hint[];
  onChange: (w: WindowForm) => void;
  onRemove: () => void;
}) {
  const at = `time_filters[${index}]`;
  const set = (patch: Partial<WindowForm>) => onChange({ ...value, ...patch });
  return (
    <Card withBorder padding="sm" component="fieldset" aria-label={`Time window ${index + 1}`}>
      <Stack gap="xs">
        <Group gap="sm" align="flex-start" wrap="wrap">
          <TextInput
            label="From"
            description="HH:MM"
            value={value.start}
            onChange={(e) => set({ start: e.currentTarget.value })}
            error={hintFor(hints, `${at}.start`)}
            w={110}
          />
          <TextInput
            label="Until"
            description="HH:MM, 24:00"
            value={value.end}
            onChange={(e) => set({ end: e.currentTarget.value })}
            error={hintFor(hints, `${at}.end`)}
            w={110}
          />
          <NativeSelect
            label="Calendar"
            data={[
              { value: '', label: 'No calendar' },
              ...withKnown(calendars, value.calId ? [value.calId] : [], 'calendar'),
            ]}
            value={value.calId}
            onChange={(e) =>
              set({ calId: e.currentTarget.value, isOff: e.currentTarget.value ? value.isOff : false })
            }
            error={hintFor(hints, `${at}.cal_id`)}
            w={{ base: '100%', xs: 200 }}
          />
        </Group>
        <Chip.Group
          multiple
          value={value.days.map(String)}
          onChange={(days) => set({ days: days.map(Number) })}
        >
          <Group gap={6} role="group" aria-label={`Days of time window ${index + 1}`}>
            {WEEKDAYS.map((day, d) => (
              <Chip key={day} value={String(d)} size="xs">
                {day}
              </Chip>
            ))}
          </Group>
        </Chip.Group>
        <Text size="xs" c="dimmed">
          No day picked: every day. A window that ends before it starts runs into the next day.
        </Text>
        {value.calId && (
          <Checkbox
            label="Only on the calendar's days off (otherwise on its workdays)"
            checked={value.isOff}
            onChange={(e) => set({ isOff: e.currentTarget.checked })}
          />
        )}
        <Button color="red" variant="subtle" size="compact-sm" w="fit-content" onClick={onRemove}>
          Remove time window {index + 1}
        </Button>
      </Stack>
    </Card>
  );
}
