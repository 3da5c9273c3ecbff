import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import type { ChannelItem, Team } from '../channel-types.ts';
import { describeGrouping } from '../channel-types.ts';
import { useChecks } from '../field-checks.ts';

/**
 * Channels: the list (`/channel/list`, searchable), and a form that creates one
 * (`/channel/create`: name, team, description) and opens it.
 */
export function ChannelsPage() {
  const checks = useChecks('/channel/create', { name: 'channel_name', description: 'description' });
  const [, navigate] = useLocation();
  const [channels, setChannels] = useState<ChannelItem[]>();
  const [total, setTotal] = useState(0);
  const [teams, setTeams] = useState<Team[]>([]);
  const [search, setSearch] = useState('');
  const [query] = useDebouncedValue(search, 300);
  const [error, setError] = useState<string>();
  const [form, setForm] = useState({ name: '', teamId: '', description: '' });
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [list, teamList] = await Promise.all([
        api.post<{ items: ChannelItem[]; total: number }>('/channel/list', {
          limit: 100,
          orderby: 'channel_name',
          asc: true,
          ...(query.trim() ? { query: query.trim() } : {}),
        }),
        api.post<{ items: Team[] }>('/team/list', { limit: 100, orderby: 'team_name', asc: true }),
      ]);
      setChannels(list.items);
      setTotal(list.total);
      setTeams(teamList.items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [query]);
  useEffect(() => {
    void load();
  }, [load]);

  const teamName = (id: number | undefined) =>
    teams.find((t) => t.team_id === id)?.team_name ?? `Team #${id}`;

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    if (!form.teamId) {
      setError('Team: choose the team the channel belongs to.');
      return;
    }
    setBusy(true);
    try {
      const created = await api.post<{ channel_id: number }>('/channel/create', {
        channel_name: form.name.trim(),
        team_id: Number(form.teamId),
        description: form.description.trim(),
      });
      navigate(`/channels/${created.channel_id}`);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Title order={2}>Channels</Title>
      <Text size="sm" c="dimmed">
        A channel collects the alerts of a service into incidents: how they are grouped, which noise is
        dropped or silenced, and who is escalated to.{' '}
        <Anchor component={Link} href="/routes">
          Routes
        </Anchor>{' '}
        decide which channel the alerts of a shared integration reach.
      </Text>

      <form onSubmit={create} aria-labelledby="new-channel-title">
        <Stack gap="xs">
          <Title order={3} size="h5" id="new-channel-title">
            New channel
          </Title>
          {teams.length === 0 && channels && (
            <Text size="sm" c="dimmed">
              Every channel belongs to a team, and this account has none yet: create a team first.
            </Text>
          )}
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput
              label="Name"
              required
              error={checks.error('name', form.name)}
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
              w={{ base: '100%', sm: 240 }}
            />
            <Select
              label="Team"
              required
              placeholder="Choose a team"
              data={teams.map((t) => ({ value: String(t.team_id), label: t.team_name }))}
              value={form.teamId || null}
              onChange={(value) => setForm({ ...form, teamId: value ?? '' })}
              searchable
              nothingFoundMessage="No team of that name"
              w={{ base: '100%', sm: 220 }}
            />
            <Textarea
              label="Description"
              error={checks.error('description', form.description)}
              rows={1}
              value={form.description}
              onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
              w={{ base: '100%', sm: 320 }}
            />
          </Group>
          <Group>
            <Button type="submit" loading={busy}>
              Create channel
            </Button>
          </Group>
        </Stack>
      </form>

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

      <TextInput
        label="Search channels"
        placeholder="Name or description"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        w={{ base: '100%', sm: 320 }}
      />
      {!channels && !error && <Loader aria-label="Loading channels" />}
      {channels && channels.length === 0 && (
        <Text c="dimmed">
          {query.trim()
            ? 'No channel matches that search. Clear it to see every channel.'
            : 'No channels yet. Create one above, then point an integration or a route at it.'}
        </Text>
      )}
      {channels && channels.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="Channels" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th visibleFrom="sm">Team</Table.Th>
                <Table.Th visibleFrom="md">Grouping</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {channels.map((c) => (
                <Table.Tr key={c.channel_id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Anchor component={Link} href={`/channels/${c.channel_id}`}>
                      {c.channel_name}
                    </Anchor>
                    {c.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {c.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{teamName(c.team_id)}</Table.Td>
                  <Table.Td visibleFrom="md">{describeGrouping(c.group)}</Table.Td>
                  <Table.Td>
                    <Badge
                      color={c.status === 'enabled' ? 'green' : 'gray'}
                      variant="light"
                      miw="max-content"
                    >
                      {c.status === 'enabled' ? 'Enabled' : 'Disabled'}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {channels && total > channels.length && (
        <Text size="sm" c="dimmed">
          Showing the first {channels.length} of {total}: search to narrow the list.
        </Text>
      )}
    </Stack>
  );
}
