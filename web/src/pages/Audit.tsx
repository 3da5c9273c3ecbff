import {
  Badge,
  Button,
  Checkbox,
  Group,
  Loader,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api.ts';
import { ErrorAlert } from '../components/feedback.tsx';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';

type Entry = {
  created_at: number;
  member_id: number;
  member_name: string;
  request_id: string;
  ip: string;
  operation: string;
  operation_name: string;
  body: string;
  is_dangerous: boolean;
  credential: string;
  user_agent: string;
};
type Page = { total: number; search_after_ctx: string; docs: Entry[] };
type MemberRow = { member_id: number; member_name: string };

const DAY = 86_400;
const WINDOWS = [
  { value: '1', label: 'Last 24 hours' },
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
];

/** The audit log: who changed what, when and from where (Audit Read); filtered, newest first. */
export function AuditPage() {
  const { member, timeZone } = useSession();
  const [days, setDays] = useState('7');
  const [operations, setOperations] = useState<string[]>([]);
  const [personId, setPersonId] = useState<string | null>(null);
  const [dangerous, setDangerous] = useState(false);
  const [known, setKnown] = useState<{ value: string; label: string }[]>([]);
  const [members, setMembers] = useState<MemberRow[]>([]);
  const [entries, setEntries] = useState<Entry[]>();
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([
      api.post<{ items: { name: string; name_cn: string }[] }>('/audit/operation/list', {}),
      api.post<{ items: MemberRow[] }>('/member/list', { limit: 100, asc: true }),
    ])
      .then(([ops, people]) => {
        setKnown(ops.items.map((op) => ({ value: op.name, label: `${op.name_cn} (${op.name})` })));
        setMembers(people.items);
      })
      .catch((caught) => setError(describeError(caught)));
  }, []);

  const search = useCallback(
    async (after: string) => {
      setBusy(true);
      setError(undefined);
      const end = Math.floor(Date.now() / 1000);
      try {
        const page = await api.post<Page>('/audit/search', {
          start_time: end - Number(days) * DAY,
          end_time: end,
          limit: 50,
          ...(after ? { search_after_ctx: after } : {}),
          ...(operations.length > 0 ? { operations } : {}),
          ...(personId ? { person_id: Number(personId) } : {}),
          ...(dangerous ? { is_dangerous: true } : {}),
        });
        setEntries((before) => (after ? [...(before ?? []), ...page.docs] : page.docs));
        setTotal(page.total);
        setCursor(page.search_after_ctx);
      } catch (caught) {
        setError(describeError(caught));
      } finally {
        setBusy(false);
      }
    },
    [days, operations, personId, dangerous],
  );
  useEffect(() => {
    void search('');
  }, [search]);

  return (
    <Stack gap="md">
      <Title order={2}>Audit log</Title>
      <Text size="sm">
        Every change made in this account, through the console or the API, with who made it and from where.
        Secrets in what was sent are masked.
      </Text>
      <Group align="flex-end" gap="sm" role="search" aria-label="Audit filters">
        <Select
          label="Period"
          data={WINDOWS}
          value={days}
          onChange={(value) => setDays(value ?? '7')}
          allowDeselect={false}
          w={170}
        />
        <MultiSelect
          label="Operations"
          searchable
          clearable
          data={known}
          value={operations}
          onChange={setOperations}
          w={320}
          comboboxProps={{ withinPortal: true }}
        />
        <Select
          label="Member"
          searchable
          clearable
          data={members.map((m) => ({ value: String(m.member_id), label: m.member_name }))}
          value={personId}
          onChange={setPersonId}
          w={200}
          comboboxProps={{ withinPortal: true }}
        />
        <Checkbox
          label="Dangerous only"
          checked={dangerous}
          onChange={(e) => setDangerous(e.currentTarget.checked)}
          mb={8}
        />
      </Group>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {!entries && !error && <Loader aria-label="Loading the audit log" />}
      {entries && entries.length === 0 && <Text c="dimmed">Nothing was changed in this period.</Text>}
      {entries && entries.length > 0 && (
        <>
          <Text size="sm" c="dimmed">
            {entries.length} of {total}
          </Text>
          <Table.ScrollContainer minWidth={720}>
            <Table aria-label="Audit log" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Th>Who</Table.Th>
                  <Table.Th>Operation</Table.Th>
                  <Table.Th>What was sent</Table.Th>
                  <Table.Th>From</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entries.map((entry) => (
                  <Table.Tr key={entry.request_id}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {formatTime(entry.created_at, timeZone, member.locale || 'en-US')}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{entry.member_name}</Text>
                      <Text size="xs" c="dimmed">
                        {entry.credential === 'session' ? 'console' : entry.credential.replace('_', ' ')}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        <Text size="sm">{entry.operation_name}</Text>
                        {entry.is_dangerous && (
                          <Badge size="xs" color="red" variant="light">
                            dangerous
                          </Badge>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed">
                        {entry.operation}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ maxWidth: 360 }}>
                      <Text size="xs" ff="monospace" lineClamp={3} style={{ overflowWrap: 'anywhere' }}>
                        {entry.body}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs">{entry.ip}</Text>
                      <Text size="xs" c="dimmed" lineClamp={1} title={entry.user_agent}>
                        {entry.user_agent}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {cursor && (
            <Button variant="default" loading={busy} onClick={() => void search(cursor)}>
              Show older
            </Button>
          )}
        </>
      )}
    </Stack>
  );
}
