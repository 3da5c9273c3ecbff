import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Group,
  List,
  Loader,
  MultiSelect,
  NativeSelect,
  NumberInput,
  Radio,
  Stack,
  Switch,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import {
  autoResolveSeconds,
  emptyGroupCase,
  type FlappingForm,
  flappingToForm,
  formToFlapping,
  formToGroup,
  type GroupForm,
  groupToForm,
} from '../channel-form.ts';
import type { ChannelItem, Team } from '../channel-types.ts';
import { ConditionList } from '../components/Conditions.tsx';
import { ConfirmModal } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { RulesPanel } from './ChannelRules.tsx';

type Settings = {
  name: string;
  teamId: string;
  managingTeamIds: string[];
  description: string;
  isPrivate: boolean;
  group: GroupForm;
  flapping: FlappingForm;
  autoResolveMinutes: number;
  autoResolveMode: 'trigger' | 'update';
  disableAutoClose: boolean;
  disableOutlierDetection: boolean;
  externalReport: boolean;
};

function toSettings(c: ChannelItem): Settings {
  return {
    name: c.channel_name,
    teamId: String(c.team_id),
    managingTeamIds: c.managing_team_ids.map(String),
    description: c.description,
    isPrivate: c.is_private,
    group: groupToForm(c.group),
    flapping: flappingToForm(c.flapping),
    autoResolveMinutes: Math.round(c.auto_resolve_timeout / 60),
    autoResolveMode: c.auto_resolve_mode,
    disableAutoClose: c.disable_auto_close,
    disableOutlierDetection: c.disable_outlier_detection,
    externalReport: c.is_external_report_enabled,
  };
}

const toNumber = (value: string | number) => (typeof value === 'number' ? value : Number(value) || 0);

/**
 * One channel: its settings (`/channel/update`: name, teams, grouping, flapping, auto-resolve, ...),
 * enable/disable/delete, and its noise rules (silence, inhibit, drop) in tabs.
 */
export function ChannelDetailPage({ channelId }: { channelId: number }) {
  const checks = useChecks('/channel/update', { name: 'channel_name', description: 'description' });
  const { member, timeZone } = useSession();
  const [, navigate] = useLocation();
  const [channel, setChannel] = useState<ChannelItem>();
  const [teams, setTeams] = useState<Team[]>([]);
  const [settings, setSettings] = useState<Settings>();
  const [error, setError] = useState<string>();
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const load = useCallback(async () => {
    try {
      const [info, teamList] = await Promise.all([
        api.post<ChannelItem>('/channel/info', { channel_id: channelId }),
        api.post<{ items: Team[] }>('/team/list', { limit: 100, orderby: 'team_name', asc: true }),
      ]);
      setChannel(info);
      setSettings(toSettings(info));
      setTeams(teamList.items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [channelId]);
  useEffect(() => {
    void load();
  }, [load]);

  if (!channel || !settings) {
    return error ? (
      <Alert color="red" title="The channel could not be loaded" role="alert">
        {error} <Link href="/channels">Back to the channels.</Link>
      </Alert>
    ) : (
      <Loader aria-label="Loading the channel" />
    );
  }

  const set = (patch: Partial<Settings>) => setSettings({ ...settings, ...patch });
  const setGroup = (patch: Partial<GroupForm>) => set({ group: { ...settings.group, ...patch } });
  const setFlapping = (patch: Partial<FlappingForm>) => set({ flapping: { ...settings.flapping, ...patch } });
  const teamOptions = teams.map((t) => ({ value: String(t.team_id), label: t.team_name }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setNotice(undefined);
    const group = formToGroup(settings.group);
    setProblems(group.errors);
    if (group.errors.length > 0) return;
    setBusy(true);
    try {
      await api.post('/channel/update', {
        channel_id: channelId,
        channel_name: settings.name.trim(),
        team_id: Number(settings.teamId),
        managing_team_ids: settings.managingTeamIds.map(Number),
        description: settings.description,
        is_private: settings.isPrivate,
        group: group.value,
        flapping: formToFlapping(settings.flapping),
        auto_resolve_timeout: autoResolveSeconds(settings.autoResolveMinutes, channel.auto_resolve_timeout),
        auto_resolve_mode: settings.autoResolveMode,
        disable_auto_close: settings.disableAutoClose,
        disable_outlier_detection: settings.disableOutlierDetection,
        is_external_report_enabled: settings.externalReport,
      });
      const info = await api.post<ChannelItem>('/channel/info', { channel_id: channelId });
      setChannel(info);
      setSettings(toSettings(info));
      setNotice('Settings saved.');
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const toggleStatus = async () => {
    setError(undefined);
    try {
      await api.post(channel.status === 'enabled' ? '/channel/disable' : '/channel/enable', {
        channel_id: channelId,
      });
      setChannel(await api.post<ChannelItem>('/channel/info', { channel_id: channelId }));
    } catch (caught) {
      setError(describeError(caught));
    }
  };

  const remove = async () => {
    try {
      await api.post('/channel/delete', { channel_id: channelId });
      navigate('/channels');
    } catch (caught) {
      setDeleting(false);
      setError(describeError(caught));
    }
  };

  const g = settings.group;
  const f = settings.flapping;
  return (
    <Stack gap="md">
      <Anchor component={Link} href="/channels" size="sm">
        ← Channels
      </Anchor>
      <Group justify="space-between" align="flex-start" gap="sm">
        <Stack gap={4} style={{ minWidth: 0 }}>
          <Title order={2} style={{ overflowWrap: 'anywhere' }}>
            {channel.channel_name}
          </Title>
          <Group gap="xs">
            <Badge color={channel.status === 'enabled' ? 'green' : 'gray'} variant="light">
              {channel.status === 'enabled' ? 'Enabled' : 'Disabled'}
            </Badge>
            <Text size="xs" c="dimmed">
              Changed {formatTime(channel.updated_at * 1000, timeZone, member.locale || 'en-US')}
            </Text>
          </Group>
        </Stack>
        <Group gap="xs">
          <Button component={Link} href={`/escalation-rules?channel_id=${channelId}`} variant="default">
            Escalation rules
          </Button>
          <Button variant="default" onClick={() => void toggleStatus()}>
            {channel.status === 'enabled' ? 'Disable channel' : 'Enable channel'}
          </Button>
          <Button variant="outline" color="red" onClick={() => setDeleting(true)}>
            Delete channel
          </Button>
        </Group>
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

      <Tabs defaultValue="settings" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
          <Tabs.Tab value="silence">Silence rules</Tabs.Tab>
          <Tabs.Tab value="inhibit">Inhibit rules</Tabs.Tab>
          <Tabs.Tab value="drop">Drop rules</Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="settings" pt="md">
          <form onSubmit={save} aria-label="Channel settings">
            <Stack gap="md">
              <Fieldset legend="General" p="sm">
                <Stack gap="sm">
                  <Group align="flex-start" gap="sm" wrap="wrap">
                    <TextInput
                      label="Name"
                      required
                      error={checks.error('name', settings.name)}
                      value={settings.name}
                      onChange={(e) => set({ name: e.currentTarget.value })}
                      w={{ base: '100%', sm: 260 }}
                    />
                    <NativeSelect
                      label="Team"
                      data={teamOptions}
                      value={settings.teamId}
                      onChange={(e) => set({ teamId: e.currentTarget.value })}
                      w={{ base: '100%', sm: 220 }}
                    />
                    <MultiSelect
                      label="Managing teams"
                      description="Up to 3 teams that may also manage it"
                      data={teamOptions}
                      value={settings.managingTeamIds}
                      onChange={(value) => set({ managingTeamIds: value })}
                      maxValues={3}
                      w={{ base: '100%', sm: 300 }}
                    />
                  </Group>
                  <Textarea
                    label="Description"
                    error={checks.error('description', settings.description)}
                    rows={2}
                    value={settings.description}
                    onChange={(e) => set({ description: e.currentTarget.value })}
                  />
                  <Switch
                    label="Private channel"
                    description="Recorded for Flashduty clients; Vigil shows every channel to every member for now."
                    checked={settings.isPrivate}
                    onChange={(e) => set({ isPrivate: e.currentTarget.checked })}
                  />
                </Stack>
              </Fieldset>

              <Fieldset legend="Grouping alerts into incidents" p="sm">
                <Stack gap="sm">
                  <Radio.Group
                    label="Method"
                    value={g.method}
                    onChange={(value) => setGroup({ method: value as GroupForm['method'] })}
                  >
                    <Stack gap={6} mt={4}>
                      <Radio value="n" label="No grouping: every alert opens its own incident" />
                      <Radio value="p" label="By dimensions: alerts with equal keys share an incident" />
                      <Radio value="i" label="Intelligent: similar alerts share an incident" />
                    </Stack>
                  </Radio.Group>
                  {g.method === 'p' && (
                    <>
                      <Textarea
                        label="Group by"
                        description="Keys such as labels.service or title, separated by commas: alerts with equal values share an incident. Up to 5 sets, one per line, tried in order (e.g. labels.trace_id, then labels.service)."
                        rows={2}
                        value={g.equals}
                        onChange={(e) => setGroup({ equals: e.currentTarget.value })}
                      />
                      <Checkbox
                        label="Strict: an alert missing a key (or with it empty) is not grouped; otherwise missing values count as equal"
                        checked={g.allEqualsRequired}
                        onChange={(e) => setGroup({ allEqualsRequired: e.currentTarget.checked })}
                      />
                      <Stack gap="xs">
                        <Text size="sm" fw={500}>
                          Cases
                        </Text>
                        <Text size="sm" c="dimmed">
                          {g.cases.length === 0
                            ? 'No cases: every alert is grouped by the keys above. Add a case to group some alerts by other keys.'
                            : 'Cases are tried in order; the first whose conditions all match decides the keys.'}
                        </Text>
                        {g.cases.map((c, index) => (
                          // biome-ignore lint/suspicious/noArrayIndexKey: cases have no identity of their own
                          <Fieldset key={index} legend={`Case ${index + 1}`} p="sm">
                            <Stack gap="xs">
                              <ConditionList
                                label={`Case ${index + 1}`}
                                rows={c.conditions}
                                onChange={(rows) =>
                                  setGroup({
                                    cases: g.cases.map((x, i) =>
                                      i === index ? { ...x, conditions: rows } : x,
                                    ),
                                  })
                                }
                              />
                              <TextInput
                                label={`Case ${index + 1}: group by`}
                                placeholder="labels.host, title"
                                value={c.equals}
                                onChange={(e) => {
                                  const value = e.currentTarget.value;
                                  setGroup({
                                    cases: g.cases.map((x, i) => (i === index ? { ...x, equals: value } : x)),
                                  });
                                }}
                              />
                              <Group>
                                <Button
                                  variant="subtle"
                                  color="red"
                                  size="compact-sm"
                                  onClick={() => setGroup({ cases: g.cases.filter((_, i) => i !== index) })}
                                >
                                  Remove case {index + 1}
                                </Button>
                              </Group>
                            </Stack>
                          </Fieldset>
                        ))}
                        <Group>
                          <Button
                            variant="default"
                            size="compact-sm"
                            onClick={() => setGroup({ cases: [...g.cases, emptyGroupCase()] })}
                          >
                            Add case
                          </Button>
                        </Group>
                      </Stack>
                    </>
                  )}
                  {g.method === 'i' && (
                    <Group align="flex-start" gap="sm" wrap="wrap">
                      <TextInput
                        label="Compared fields"
                        description="Separated by commas"
                        value={g.iKeys}
                        onChange={(e) => setGroup({ iKeys: e.currentTarget.value })}
                        w={{ base: '100%', sm: 360 }}
                      />
                      <NumberInput
                        label="Similarity threshold"
                        description="0.5 to 1"
                        min={0.5}
                        max={1}
                        step={0.05}
                        decimalScale={2}
                        value={g.iScoreThreshold}
                        onChange={(value) => setGroup({ iScoreThreshold: toNumber(value) })}
                        w={{ base: '100%', sm: 180 }}
                      />
                    </Group>
                  )}
                  {g.method !== 'n' && (
                    <Group align="flex-start" gap="sm" wrap="wrap">
                      <NumberInput
                        label="Time window (minutes)"
                        description="0: until the incident closes"
                        min={0}
                        max={43200}
                        allowDecimal={false}
                        value={g.timeWindow}
                        onChange={(value) => setGroup({ timeWindow: toNumber(value) })}
                        w={{ base: '100%', sm: 200 }}
                      />
                      <Radio.Group
                        label="Window"
                        value={g.windowType}
                        onChange={(value) => setGroup({ windowType: value as GroupForm['windowType'] })}
                      >
                        <Group gap="md" mt={8}>
                          <Radio value="tumbling" label="Tumbling (from the first alert)" />
                          <Radio value="sliding" label="Sliding (from the latest alert)" />
                        </Group>
                      </Radio.Group>
                    </Group>
                  )}
                  <TextInput
                    label="Storm thresholds"
                    description="Alert counts in one incident that raise a storm warning, separated by commas (up to 5)"
                    placeholder="50, 200"
                    value={g.stormThresholds}
                    onChange={(e) => setGroup({ stormThresholds: e.currentTarget.value })}
                    w={{ base: '100%', sm: 360 }}
                  />
                </Stack>
              </Fieldset>

              <Fieldset legend="Flapping" p="sm">
                <Stack gap="sm">
                  <Switch
                    label="Detect flapping alerts"
                    checked={f.enabled}
                    onChange={(e) => setFlapping({ enabled: e.currentTarget.checked })}
                  />
                  {f.enabled && (
                    <>
                      <Group align="flex-start" gap="sm" wrap="wrap">
                        <NumberInput
                          label="Status changes"
                          min={2}
                          max={100}
                          allowDecimal={false}
                          value={f.maxChanges}
                          onChange={(value) => setFlapping({ maxChanges: toNumber(value) })}
                          w={{ base: '100%', xs: 160 }}
                        />
                        <NumberInput
                          label="Within (minutes)"
                          min={1}
                          max={1440}
                          allowDecimal={false}
                          value={f.inMins}
                          onChange={(value) => setFlapping({ inMins: toNumber(value) })}
                          w={{ base: '100%', xs: 160 }}
                        />
                      </Group>
                      <Radio.Group
                        label="Then"
                        value={f.action}
                        onChange={(value) => setFlapping({ action: value as FlappingForm['action'] })}
                      >
                        <Stack gap={6} mt={4}>
                          <Radio value="mark" label="Mark the incident as flapping" />
                          <Radio value="mute" label="Mark it and mute its notifications" />
                        </Stack>
                      </Radio.Group>
                      {f.action === 'mute' && (
                        <NumberInput
                          label="Mute for (minutes)"
                          min={1}
                          max={1440}
                          allowDecimal={false}
                          value={f.muteMins}
                          onChange={(value) => setFlapping({ muteMins: toNumber(value) })}
                          w={{ base: '100%', xs: 160 }}
                        />
                      )}
                    </>
                  )}
                </Stack>
              </Fieldset>

              <Fieldset legend="Closing incidents" p="sm">
                <Stack gap="sm">
                  <Group align="flex-start" gap="sm" wrap="wrap">
                    <NumberInput
                      label="Auto-resolve after (minutes)"
                      description="0: never"
                      min={0}
                      max={43200}
                      allowDecimal={false}
                      value={settings.autoResolveMinutes}
                      onChange={(value) => set({ autoResolveMinutes: toNumber(value) })}
                      w={{ base: '100%', sm: 220 }}
                    />
                    <NativeSelect
                      label="Counted from"
                      data={[
                        { value: 'trigger', label: 'when the incident was triggered' },
                        { value: 'update', label: 'its latest alert' },
                      ]}
                      value={settings.autoResolveMode}
                      onChange={(e) =>
                        set({ autoResolveMode: e.currentTarget.value as Settings['autoResolveMode'] })
                      }
                      w={{ base: '100%', sm: 260 }}
                    />
                  </Group>
                  <Switch
                    label="Keep incidents open when all their alerts recover"
                    checked={settings.disableAutoClose}
                    onChange={(e) => set({ disableAutoClose: e.currentTarget.checked })}
                  />
                  <Switch
                    label="Turn off outlier (rare incident) detection"
                    checked={settings.disableOutlierDetection}
                    onChange={(e) => set({ disableOutlierDetection: e.currentTarget.checked })}
                  />
                  <Switch
                    label="Allow external reports"
                    checked={settings.externalReport}
                    onChange={(e) => set({ externalReport: e.currentTarget.checked })}
                  />
                  {channel.is_external_report_enabled && channel.external_report_token && (
                    <TextInput
                      readOnly
                      label="External report token"
                      value={channel.external_report_token}
                      w={{ base: '100%', sm: 360 }}
                    />
                  )}
                </Stack>
              </Fieldset>

              {problems.length > 0 && (
                <Alert color="red" title="Fix these before saving" role="alert">
                  <List size="sm">
                    {problems.map((p) => (
                      <List.Item key={p}>{p}</List.Item>
                    ))}
                  </List>
                </Alert>
              )}
              <Group>
                <Button type="submit" loading={busy}>
                  Save settings
                </Button>
                {notice && (
                  <Text size="sm" c="green.8" role="status">
                    {notice}
                  </Text>
                )}
              </Group>
            </Stack>
          </form>
        </Tabs.Panel>
        <Tabs.Panel value="silence" pt="md">
          <RulesPanel channelId={channelId} kind="silence" />
        </Tabs.Panel>
        <Tabs.Panel value="inhibit" pt="md">
          <RulesPanel channelId={channelId} kind="inhibit" />
        </Tabs.Panel>
        <Tabs.Panel value="drop" pt="md">
          <RulesPanel channelId={channelId} kind="drop" />
        </Tabs.Panel>
      </Tabs>

      <ConfirmModal
        title={deleting ? 'Delete the channel?' : undefined}
        body={`${channel.channel_name} and its rules stop applying, and its name can be reused. Integrations that feed it privately must be moved first.`}
        confirmLabel="Delete"
        onConfirm={remove}
        onClose={() => setDeleting(false)}
      />
    </Stack>
  );
}
