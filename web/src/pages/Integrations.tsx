import {
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { ErrorAlert } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { INTEGRATION_TYPES, type IntegrationType, isPushType } from '../integrations.ts';
import { useSession } from '../session.tsx';
import type { Channel } from '../types.ts';

export type Integration = {
  integration_id: number;
  name: string;
  status: 'enabled' | 'disabled' | 'deleted';
  plugin_type: string;
  plugin_type_name: string;
  description: string;
  integration_key: string;
  channel_id: number;
  created_at: number;
  push_url: string;
  /** A webhook's settings, or a heartbeat's, generic webhook's or e-mail integration's: `[settings]`. */
  settings: Record<string, unknown>[];
};

/** The channels the member may see, for binding an integration (empty when they may not list them). */
export async function loadChannels(): Promise<Channel[]> {
  try {
    const page = await api.post<{ items: Channel[] }>('/channel/list', { limit: 100, is_brief: true });
    return page.items;
  } catch {
    return [];
  }
}

/**
 * Integrations that receive events (alerts from Alertmanager or scripts, changes from deploys):
 * the list, and a form that creates one and opens its page with the push URL and snippets.
 */
export function IntegrationsPage() {
  const { member, timeZone } = useSession();
  const [, navigate] = useLocation();
  const [items, setItems] = useState<Integration[]>();
  const [channels, setChannels] = useState<Channel[]>([]);
  const [error, setError] = useState<string>();
  const [form, setForm] = useState<{ name: string; type: IntegrationType; channelId: string }>({
    name: '',
    type: 'alert.prometheus',
    channelId: '',
  });
  const [busy, setBusy] = useState(false);
  const [newChannel, setNewChannel] = useState(false);
  const checks = useChecks('/datasource/upsert', { name: 'name' });

  const load = useCallback(async () => {
    try {
      const [page, channelList] = await Promise.all([
        api.post<{ items: Integration[] }>('/datasource/list', { limit: 100, orderby: 'name', asc: true }),
        loadChannels(),
      ]);
      setItems(page.items.filter((i) => isPushType(i.plugin_type)));
      setChannels(channelList);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    checks.clear();
    try {
      const created = await api.post<{ integration_id: number }>('/datasource/upsert', {
        name: form.name.trim(),
        plugin_type: form.type,
        ...(form.channelId && form.type !== 'change.standard' ? { channel_id: Number(form.channelId) } : {}),
      });
      navigate(`/integrations/${created.integration_id}`);
    } catch (caught) {
      setError(checks.absorb(caught, { name: form.name.trim() }));
      setBusy(false);
    }
  };

  const channelName = (id: number) =>
    id === 0 ? 'Shared (routes)' : (channels.find((c) => c.channel_id === id)?.channel_name ?? `#${id}`);
  const typeHelp = INTEGRATION_TYPES.find((t) => t.value === form.type)?.description;

  return (
    <Stack gap="md">
      <Title order={2}>Integrations</Title>
      <form onSubmit={submit} aria-labelledby="new-integration-title">
        <Stack gap="xs">
          <Title order={3} size="h5" id="new-integration-title">
            Create an integration
          </Title>
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="Name"
              required
              value={form.name}
              error={checks.error('name', form.name.trim())}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
              w={{ base: '100%', sm: 220 }}
            />
            <Select
              label="Type"
              allowDeselect={false}
              data={INTEGRATION_TYPES.map((t) => ({ value: t.value, label: t.label }))}
              value={form.type}
              onChange={(value) => value && setForm({ ...form, type: value as IntegrationType })}
              w={{ base: '100%', sm: 240 }}
            />
            {form.type !== 'change.standard' && (
              <Select
                label="Channel"
                description={
                  channels.length === 0 ? 'No channel yet: create one' : 'Where its incidents open'
                }
                placeholder="Shared: routed by rules"
                clearable
                data={channels.map((c) => ({ value: String(c.channel_id), label: c.channel_name }))}
                value={form.channelId || null}
                onChange={(value) => setForm({ ...form, channelId: value ?? '' })}
                w={{ base: '100%', sm: 220 }}
              />
            )}
            {form.type !== 'change.standard' && (
              <Button variant="default" mt={{ base: 0, sm: 42 }} onClick={() => setNewChannel(true)}>
                New channel
              </Button>
            )}
          </Group>
          <Text size="sm" c="dimmed">
            {typeHelp}
          </Text>
          <Group>
            <Button type="submit" loading={busy}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>

      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      <NewChannelDialog
        opened={newChannel}
        onClose={() => setNewChannel(false)}
        onCreated={async (channelId) => {
          setNewChannel(false);
          setChannels(await loadChannels());
          setForm((current) => ({ ...current, channelId: String(channelId) }));
        }}
      />

      {!items && !error && <Loader aria-label="Loading integrations" />}
      {items && items.length === 0 && (
        <Text c="dimmed">
          No integrations yet. Create one above: its page gives the URL to push events to, a curl command to
          test it, and for Prometheus the Alertmanager receiver to paste.
        </Text>
      )}
      {items && items.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="Integrations" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th visibleFrom="sm">Channel</Table.Th>
                <Table.Th visibleFrom="md">Created</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((item) => (
                <Table.Tr key={item.integration_id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Anchor component={Link} href={`/integrations/${item.integration_id}`}>
                      {item.name}
                    </Anchor>{' '}
                    {item.status === 'disabled' && (
                      <Badge color="gray" variant="light">
                        Disabled
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{item.plugin_type_name}</Table.Td>
                  <Table.Td visibleFrom="sm">
                    {item.plugin_type.startsWith('change.') ? '—' : channelName(item.channel_id)}
                  </Table.Td>
                  <Table.Td visibleFrom="md">
                    {formatTime(item.created_at * 1000, timeZone, member.locale || 'en-US')}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/** A channel created from the integration form: a name and the team that owns it. */
function NewChannelDialog({
  opened,
  onClose,
  onCreated,
}: {
  opened: boolean;
  onClose: () => void;
  onCreated: (channelId: number) => Promise<void>;
}) {
  const [teams, setTeams] = useState<{ team_id: number; team_name: string }[]>();
  const checks = useChecks('/channel/create', { name: 'channel_name' });
  const [name, setName] = useState('');
  const [teamId, setTeamId] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setError(undefined);
    api
      .post<{ items: { team_id: number; team_name: string }[] }>('/team/list', {
        limit: 100,
        orderby: 'team_name',
        asc: true,
      })
      .then((page) => {
        setTeams(page.items);
        if (page.items.length === 1) setTeamId(String(page.items[0]!.team_id));
      })
      .catch((caught) => setError(describeError(caught)));
  }, [opened]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<{ channel_id: number }>('/channel/create', {
        channel_name: name.trim(),
        team_id: Number(teamId),
      });
      setName('');
      await onCreated(created.channel_id);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title="New channel">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Text size="sm">A channel collects the incidents of a service; its team handles them.</Text>
          {teams && teams.length === 0 && (
            <Text size="sm" c="red">
              A channel belongs to a team, and there is none yet: create one on the{' '}
              <Anchor component={Link} href="/teams">
                Teams
              </Anchor>{' '}
              page first.
            </Text>
          )}
          <ErrorAlert error={error} onClose={() => setError(undefined)} />
          <TextInput
            label="Channel name"
            required
            error={checks.error('name', name)}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
          <Select
            label="Team"
            required
            allowDeselect={false}
            data={(teams ?? []).map((t) => ({ value: String(t.team_id), label: t.team_name }))}
            value={teamId}
            onChange={setTeamId}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!teamId}>
              Create channel
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
