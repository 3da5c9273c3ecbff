import { Alert, Anchor, Button, Group, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api, describeError } from '../api.ts';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';
import type { Person } from '../types.ts';

type Oncall = { start: number; end: number; group: { members: { role_id: number; person_ids: number[] }[] } };
type ScheduleRow = {
  schedule_id: number;
  schedule_name: string;
  description: string;
  team_id: number;
  time_zone: string;
  cur_oncall: Oncall;
  next_oncall: Oncall;
};
type Loaded = {
  items: ScheduleRow[];
  total: number;
  people: Map<number, string>;
  teams: Map<number, string>;
};

const LIMIT = 100;
const peopleOf = (oncall: Oncall) => oncall.group.members.flatMap((m) => m.person_ids);

async function load(query: string): Promise<Loaded> {
  const [list, teams] = await Promise.all([
    api.post<{ items: ScheduleRow[]; total: number }>('/schedule/list', {
      limit: LIMIT,
      ...(query ? { query } : {}),
    }),
    api.post<{ items: { team_id: number; team_name: string }[] }>('/team/list', { limit: 100 }),
  ]);
  const ids = [
    ...new Set(list.items.flatMap((s) => [...peopleOf(s.cur_oncall), ...peopleOf(s.next_oncall)])),
  ];
  const people = ids.length
    ? (await api.post<{ items: Person[] }>('/person/infos', { person_ids: ids })).items
    : [];
  return {
    items: list.items,
    total: list.total,
    people: new Map(people.map((p) => [p.person_id, p.person_name])),
    teams: new Map(teams.items.map((t) => [t.team_id, t.team_name])),
  };
}

/** The account's schedules and who is on call on each right now. */
export function SchedulesPage() {
  const { member, timeZone } = useSession();
  const locale = member.locale || 'en-US';
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 300);
  const [data, setData] = useState<Loaded>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let live = true;
    load(debounced)
      .then((loaded) => {
        if (!live) return;
        setData(loaded);
        setError(undefined);
      })
      .catch((caught) => live && setError(describeError(caught)));
    return () => {
      live = false;
    };
  }, [debounced]);

  const names = (oncall: Oncall) =>
    peopleOf(oncall)
      .map((id) => data?.people.get(id) ?? `#${id}`)
      .join(', ');

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Schedules</Title>
        <Button component={Link} href="/schedules/new">
          New schedule
        </Button>
      </Group>
      <TextInput
        label="Search schedules"
        placeholder="Name"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        w={{ base: '100%', sm: 320 }}
      />
      {error && (
        <Alert color="red" title="The schedules could not be loaded" role="alert">
          {error}
        </Alert>
      )}
      {!data && !error && <Loader aria-label="Loading schedules" />}
      {data && data.items.length === 0 && (
        <Alert color="gray" title={debounced ? 'No schedule matches' : 'No schedules yet'}>
          {debounced
            ? 'Try another name, or clear the search.'
            : 'A schedule says who is on call when. Create one: pick the people who take turns and how often they hand off.'}
        </Alert>
      )}
      {data && data.items.length > 0 && (
        <Table.ScrollContainer minWidth={340}>
          <Table aria-label="Schedules" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>On call now</Table.Th>
                <Table.Th visibleFrom="sm">Next</Table.Th>
                <Table.Th visibleFrom="md">Team</Table.Th>
                <Table.Th visibleFrom="md">Time zone</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((s) => (
                <Table.Tr key={s.schedule_id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Anchor component={Link} href={`/schedules/${s.schedule_id}`}>
                      {s.schedule_name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    {s.cur_oncall.end ? (
                      <>
                        <Text size="sm">{names(s.cur_oncall) || 'Nobody'}</Text>
                        <Text size="xs" c="dimmed">
                          until {formatTime(s.cur_oncall.end * 1000, timeZone, locale)}
                        </Text>
                      </>
                    ) : (
                      <Text size="sm" c="dimmed">
                        Nobody
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    {s.next_oncall.end ? (
                      <>
                        <Text size="sm">{names(s.next_oncall) || 'Nobody'}</Text>
                        <Text size="xs" c="dimmed">
                          from {formatTime(s.next_oncall.start * 1000, timeZone, locale)}
                        </Text>
                      </>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="md">
                    {s.team_id ? (data.teams.get(s.team_id) ?? `#${s.team_id}`) : '—'}
                  </Table.Td>
                  <Table.Td visibleFrom="md">{s.time_zone}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {data && data.total > data.items.length && (
        <Text size="sm" c="dimmed">
          Showing {data.items.length} of {data.total} schedules, newest first. Search by name to find the
          others.
        </Text>
      )}
    </Stack>
  );
}
