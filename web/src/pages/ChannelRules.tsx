import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Chip,
  Group,
  List,
  Loader,
  Modal,
  NumberInput,
  Radio,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api.ts';
import { describeWeeklyWindow, WEEKDAYS, type WeeklyWindow } from '../channel-form.ts';
import { RULE_PATH, type RuleItem, type RuleKind } from '../channel-types.ts';
import { FilterEditor } from '../components/Conditions.tsx';
import { describeFilters } from '../conditions.ts';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { formToRule, newRuleForm, type RuleForm, ruleToForm } from '../rule-form.ts';
import { useSession } from '../session.tsx';

const WORDS: Record<RuleKind, { one: string; what: string; empty: string }> = {
  silence: {
    one: 'silence rule',
    what: 'Silence rules quiet matching alerts during a window: one-off (maintenance) or weekly.',
    empty: 'No silence rules. Add one before planned maintenance, or for alerts expected every night.',
  },
  inhibit: {
    one: 'inhibit rule',
    what: 'Inhibit rules hide new alerts (targets) while a related, unacknowledged alert (source) arrived in the last 10 minutes: a switch being down hides the alerts of the hosts behind it.',
    empty: 'No inhibit rules. Add one when one failure causes a flood of others.',
  },
  drop: {
    one: 'drop rule',
    what: 'Drop rules discard matching alerts before they reach an incident.',
    empty: 'No drop rules. Add one for alerts this channel never needs to see.',
  },
};

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The rules of one kind of a channel: list, create, edit, enable/disable, delete. */
export function RulesPanel({ channelId, kind }: { channelId: number; kind: RuleKind }) {
  const { member, timeZone } = useSession();
  const words = WORDS[kind];
  const [rules, setRules] = useState<RuleItem[]>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<RuleForm>();
  const [deleting, setDeleting] = useState<RuleItem>();
  const path = RULE_PATH[kind];

  const load = useCallback(async () => {
    try {
      setRules((await api.post<{ items: RuleItem[] }>(`${path}/list`, { channel_id: channelId })).items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [path, channelId]);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (verb: 'enable' | 'disable' | 'delete', rule: RuleItem) => {
    setError(undefined);
    try {
      await api.post(`${path}/${verb}`, { channel_id: channelId, rule_id: rule.rule_id });
      await load();
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const when = (rule: RuleItem) => {
    if (rule.time_filters?.length) return rule.time_filters.map(describeWeeklyWindow).join('; ');
    if (rule.time_filter?.start_time) {
      const locale = member.locale || 'en-US';
      return `${formatTime(rule.time_filter.start_time * 1000, timeZone, locale)} – ${formatTime(rule.time_filter.end_time * 1000, timeZone, locale)}`;
    }
    return '';
  };
  const what = (rule: RuleItem) =>
    kind === 'inhibit'
      ? `${describeFilters(rule.target_filters ?? [])}, while ${describeFilters(rule.source_filters ?? [])}${rule.equals?.length ? ` with equal ${rule.equals.join(', ')}` : ''}`
      : describeFilters(rule.filters ?? []);

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        {words.what} Rules run in priority order (lowest first); the first match decides.
      </Text>
      <Group>
        <Button onClick={() => setEditing(newRuleForm(Math.floor(Date.now() / 1000), timeZone))}>
          New {words.one}
        </Button>
      </Group>
      {error && (
        <Alert
          color="red"
          title="That did not work"
          role="alert"
          withCloseButton
          onClose={() => setError(undefined)}
        >
          {error}
        </Alert>
      )}
      {!rules && !error && <Loader aria-label={`Loading ${words.one}s`} />}
      {rules && rules.length === 0 && <Text c="dimmed">{words.empty}</Text>}
      {rules && rules.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label={`${capital(words.one)}s`} verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th visibleFrom="sm">Matches</Table.Th>
                <Table.Th>Enabled</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rules.map((rule) => (
                <Table.Tr key={rule.rule_id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Text size="sm" fw={500}>
                      {rule.rule_name}
                    </Text>
                    <Group gap={4}>
                      {kind !== 'drop' && (
                        <Badge size="xs" variant="light" color={rule.is_directly_discard ? 'red' : 'blue'}>
                          {rule.is_directly_discard ? 'Drops' : 'Marks'}
                        </Badge>
                      )}
                      {kind === 'silence' && rule.is_effective && (
                        <Badge size="xs" variant="light" color="green">
                          Active now
                        </Badge>
                      )}
                      {rule.priority > 0 && (
                        <Text size="xs" c="dimmed">
                          priority {rule.priority}
                        </Text>
                      )}
                    </Group>
                    {kind === 'silence' && (
                      <Text size="xs" c="dimmed">
                        {when(rule)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm" style={{ overflowWrap: 'anywhere' }}>
                    <Text size="sm">{what(rule)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      aria-label={`Enabled: ${rule.rule_name}`}
                      checked={rule.status === 'enabled'}
                      onChange={(e) => void act(e.currentTarget.checked ? 'enable' : 'disable', rule)}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Edit ${rule.rule_name}`}
                        onClick={() =>
                          setEditing(ruleToForm(kind, rule, Math.floor(Date.now() / 1000), timeZone))
                        }
                      >
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Delete ${rule.rule_name}`}
                        onClick={() => setDeleting(rule)}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}

      <Modal
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={editing?.ruleId ? `Edit the ${words.one}` : `New ${words.one}`}
        size="xl"
      >
        {editing && (
          <RuleEditor
            kind={kind}
            channelId={channelId}
            initial={editing}
            onSaved={async () => {
              setEditing(undefined);
              await load();
            }}
            onCancel={() => setEditing(undefined)}
          />
        )}
      </Modal>
      <Modal
        opened={deleting !== undefined}
        onClose={() => setDeleting(undefined)}
        title={`Delete the ${words.one}?`}
      >
        <Stack gap="sm">
          <Text size="sm">“{deleting?.rule_name}” stops applying to new alerts.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDeleting(undefined)}>
              Cancel
            </Button>
            <Button
              color="red"
              onClick={() => {
                const rule = deleting;
                setDeleting(undefined);
                if (rule) void act('delete', rule);
              }}
            >
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

type EditorProps = {
  kind: RuleKind;
  channelId: number;
  initial: RuleForm;
  onSaved: () => Promise<void>;
  onCancel: () => void;
};

function RuleEditor({ kind, channelId, initial, onSaved, onCancel }: EditorProps) {
  const checks = useChecks(`${RULE_PATH[kind]}/create`, { name: 'rule_name', description: 'description' });
  const { member, timeZone } = useSession();
  const [form, setForm] = useState(initial);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<RuleForm>) => setForm({ ...form, ...patch });
  const setWindow = (index: number, patch: Partial<WeeklyWindow>) =>
    set({ weekly: form.weekly.map((w, i) => (i === index ? { ...w, ...patch } : w)) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { body, errors } = formToRule(kind, form, channelId, timeZone);
    setProblems(errors);
    if (errors.length > 0) return;
    setBusy(true);
    try {
      await api.post(`${RULE_PATH[kind]}/${form.ruleId ? 'update' : 'create'}`, body);
      await onSaved();
    } catch (caught) {
      setProblems([describeError(caught)]);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Rule">
      <Stack gap="sm">
        <Group align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            label="Name"
            required
            error={checks.error('name', form.name)}
            value={form.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            w={{ base: '100%', sm: 260 }}
          />
          <NumberInput
            label="Priority"
            description="Lower runs first"
            min={0}
            allowDecimal={false}
            value={form.priority}
            onChange={(value) => set({ priority: typeof value === 'number' ? value : Number(value) || 0 })}
            w={{ base: '100%', sm: 140 }}
          />
        </Group>
        <Textarea
          label="Description"
          error={checks.error('description', form.description)}
          rows={1}
          value={form.description}
          onChange={(e) => set({ description: e.currentTarget.value })}
        />
        {kind === 'inhibit' && (
          <FilterEditor
            label="Source alerts"
            description="An open, unacknowledged alert matching this, from the last 10 minutes…"
            groups={form.sourceFilters}
            onChange={(groups) => set({ sourceFilters: groups })}
          />
        )}
        <FilterEditor
          label={kind === 'inhibit' ? 'Target alerts' : 'Matching alerts'}
          description={
            kind === 'inhibit'
              ? '…hides new alerts matching this.'
              : 'Alerts matching all conditions of any group. Values: one per line.'
          }
          groups={form.filters}
          onChange={(groups) => set({ filters: groups })}
        />
        {kind === 'inhibit' && (
          <TextInput
            label="Equal keys"
            description="Keys both alerts must share, separated by commas (e.g. labels.cluster); empty: any pair"
            value={form.equals}
            onChange={(e) => set({ equals: e.currentTarget.value })}
          />
        )}
        {kind === 'silence' && (
          <Stack gap="xs">
            <Radio.Group
              label="When"
              value={form.windowKind}
              onChange={(value) => set({ windowKind: value as RuleForm['windowKind'] })}
            >
              <Group gap="md" mt={4}>
                <Radio value="once" label="Once" />
                <Radio value="weekly" label="Every week" />
              </Group>
            </Radio.Group>
            {form.windowKind === 'once' ? (
              <Group align="flex-start" gap="sm" wrap="wrap">
                <TextInput
                  type="datetime-local"
                  label="Silence from"
                  description={`In your time zone, ${timeZone}`}
                  value={form.onceStart}
                  onChange={(e) => set({ onceStart: e.currentTarget.value })}
                  w={{ base: '100%', sm: 240 }}
                />
                <TextInput
                  type="datetime-local"
                  label="Silence until"
                  value={form.onceEnd}
                  onChange={(e) => set({ onceEnd: e.currentTarget.value })}
                  w={{ base: '100%', sm: 240 }}
                />
              </Group>
            ) : (
              <Stack gap="xs">
                <Text size="sm" c="dimmed">
                  Weekly windows follow the account's time zone, {member.account_time_zone || 'UTC'}. An end
                  at or before the start runs past midnight; the days name the day the window starts (none:
                  every day).
                </Text>
                {form.weekly.map((w, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: windows have no identity of their own
                  <Stack key={index} gap={4} role="group" aria-label={`Weekly window ${index + 1}`}>
                    <Group align="flex-end" gap="sm" wrap="wrap">
                      <TextInput
                        type="time"
                        label={`Window ${index + 1} from`}
                        value={w.start}
                        onChange={(e) => setWindow(index, { start: e.currentTarget.value })}
                        w={140}
                      />
                      <TextInput
                        type="time"
                        label="until"
                        value={w.end === '24:00' ? '00:00' : w.end}
                        onChange={(e) => setWindow(index, { end: e.currentTarget.value })}
                        w={140}
                      />
                      <Button
                        variant="subtle"
                        color="red"
                        size="compact-sm"
                        onClick={() => set({ weekly: form.weekly.filter((_, i) => i !== index) })}
                      >
                        Remove window {index + 1}
                      </Button>
                    </Group>
                    <Chip.Group
                      multiple
                      value={w.repeat.map(String)}
                      onChange={(days) => setWindow(index, { repeat: days.map(Number) })}
                    >
                      <Group gap={4} role="group" aria-label={`Window ${index + 1} days`}>
                        {WEEKDAYS.map((day, d) => (
                          <Chip key={day} value={String(d)} size="xs">
                            {day}
                          </Chip>
                        ))}
                      </Group>
                    </Chip.Group>
                  </Stack>
                ))}
                <Group>
                  <Button
                    variant="default"
                    size="compact-sm"
                    onClick={() =>
                      set({ weekly: [...form.weekly, { start: '00:00', end: '00:00', repeat: [] }] })
                    }
                  >
                    Add weekly window
                  </Button>
                </Group>
              </Stack>
            )}
          </Stack>
        )}
        {kind !== 'drop' && (
          <Checkbox
            label="Drop matching alerts (otherwise they are kept and marked as muted, without notifications)"
            checked={form.discard}
            onChange={(e) => set({ discard: e.currentTarget.checked })}
          />
        )}
        {problems.length > 0 && (
          <Alert color="red" title="The rule was not saved" role="alert">
            <List size="sm">
              {problems.map((p) => (
                <List.Item key={p}>{p}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Save rule
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
