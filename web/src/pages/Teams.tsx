import {
  Button,
  Group,
  Loader,
  Modal,
  MultiSelect,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api.ts';
import { ErrorAlert } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { useSession } from '../session.tsx';

type Team = { team_id: number; team_name: string; description: string; person_ids: number[] };
type MemberRow = { member_id: number; member_name: string };
type Draft = { teamId?: number; name: string; description: string; personIds: string[] };

const EMPTY: Draft = { name: '', description: '', personIds: [] };

/** Teams: who is in each (escalations and schedules can name a team), create, edit, delete. */
export function TeamsPage() {
  const { member } = useSession();
  const checks = useChecks('/team/upsert', { name: 'team_name', description: 'description' });
  const [teams, setTeams] = useState<Team[]>();
  const [members, setMembers] = useState<MemberRow[]>([]);
  const [error, setError] = useState<string>();
  const [draft, setDraft] = useState<Draft>();
  const [deleting, setDeleting] = useState<Team>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [teamPage, memberPage] = await Promise.all([
        api.post<{ items: Team[] }>('/team/list', { limit: 100, orderby: 'team_name', asc: true }),
        api.post<{ items: MemberRow[] }>('/member/list', { limit: 100, asc: true }),
      ]);
      setTeams(teamPage.items);
      setMembers(memberPage.items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const nameOf = (id: number) => members.find((m) => m.member_id === id)?.member_name ?? `#${id}`;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/team/upsert', {
        ...(draft.teamId === undefined ? {} : { team_id: draft.teamId }),
        team_name: draft.name.trim(),
        description: draft.description.trim(),
        person_ids: draft.personIds.map(Number),
      });
      setDraft(undefined);
      await load();
    } catch (caught) {
      setError(checks.absorb(caught, { name: draft.name.trim(), description: draft.description.trim() }));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (team: Team) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.post('/team/delete', { team_id: team.team_id });
      setDeleting(undefined);
      await load();
    } catch (caught) {
      setError(describeError(caught));
      setDeleting(undefined);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>Teams</Title>
        {/* The one who creates a team is in it unless they take themselves out (issue 23). */}
        <Button onClick={() => setDraft({ ...EMPTY, personIds: [String(member.member_id)] })}>
          Create a team
        </Button>
      </Group>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {!teams && !error && <Loader aria-label="Loading teams" />}
      {teams && teams.length === 0 && (
        <Text c="dimmed">
          No teams yet. Create one to group the members who answer for a service; escalation rules and
          schedules can then name the team.
        </Text>
      )}
      {teams && teams.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="Teams" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Team</Table.Th>
                <Table.Th>Members</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {teams.map((team) => (
                <Table.Tr key={team.team_id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    <Text size="sm" fw={600}>
                      {team.team_name}
                    </Text>
                    {team.description && (
                      <Text size="xs" c="dimmed">
                        {team.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {team.person_ids.length === 0 ? '—' : team.person_ids.map(nameOf).join(', ')}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Edit ${team.team_name}`}
                        onClick={() =>
                          setDraft({
                            teamId: team.team_id,
                            name: team.team_name,
                            description: team.description,
                            personIds: team.person_ids.map(String),
                          })
                        }
                      >
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Delete ${team.team_name}`}
                        onClick={() => setDeleting(team)}
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
        opened={draft !== undefined}
        onClose={() => setDraft(undefined)}
        title={draft?.teamId === undefined ? 'Create a team' : 'Edit the team'}
      >
        {draft && (
          <form onSubmit={save}>
            <Stack gap="sm">
              <TextInput
                label="Name"
                required
                error={checks.error('name', draft.name.trim())}
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
              />
              <TextInput
                label="Description"
                error={checks.error('description', draft.description.trim())}
                value={draft.description}
                onChange={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
              />
              <MultiSelect
                label="Members"
                searchable
                data={members.map((m) => ({ value: String(m.member_id), label: m.member_name }))}
                value={draft.personIds}
                onChange={(value) => setDraft({ ...draft, personIds: value })}
                comboboxProps={{ withinPortal: true }}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setDraft(undefined)}>
                  Cancel
                </Button>
                <Button type="submit" loading={busy}>
                  Save team
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>

      <Modal opened={deleting !== undefined} onClose={() => setDeleting(undefined)} title="Delete the team?">
        {deleting && (
          <Stack gap="sm">
            <Text size="sm">
              {deleting.team_name} goes; its members stay in the account. Vigil refuses if something (an
              escalation rule, a schedule, a channel) still names the team.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(undefined)}>
                Cancel
              </Button>
              <Button color="red" loading={busy} onClick={() => void remove(deleting)}>
                Delete {deleting.team_name}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
