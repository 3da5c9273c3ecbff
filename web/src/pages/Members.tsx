import {
  Alert,
  Button,
  CopyButton,
  Group,
  Loader,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describeError } from '../api.ts';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';

type MemberRow = { member_id: number; member_name: string; email: string; account_role_ids: number[] };
type Role = { role_id: number; role_name: string };
type Invite = {
  member_name: string;
  invite_url: string;
  expires_at: number;
  emailed_to: string;
  email_error: string;
};

/**
 * Members and their invite links: invite a person (name, e-mail, role) and hand them the
 * single-use link with which they choose their password. Who may do it is the API's call
 * (Members Manage).
 */
export function MembersPage() {
  const { member, timeZone } = useSession();
  const [members, setMembers] = useState<MemberRow[]>();
  const [roles, setRoles] = useState<Role[]>([]);
  const [error, setError] = useState<string>();
  const [invite, setInvite] = useState<Invite>();
  const [form, setForm] = useState({ name: '', email: '', roleId: '3' });
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<{ row: MemberRow; roleIds: string[] }>();
  const [removing, setRemoving] = useState<MemberRow>();
  const checks = useChecks('/member/invite', { name: 'members[].member_name', email: 'members[].email' });

  const change = async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await call();
      await load();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
      setEditing(undefined);
      setRemoving(undefined);
    }
  };

  const load = useCallback(async () => {
    try {
      const [list, roleList] = await Promise.all([
        api.post<{ items: MemberRow[] }>('/member/list', { limit: 100, asc: true }),
        api.post<{ items: Role[] }>('/role/list'),
      ]);
      setMembers(list.items);
      setRoles(roleList.items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const linkFor = async (target: { member_id: number; member_name: string }) => {
    const link = await api.post<Omit<Invite, 'member_name'>>('/console/invite/create', {
      member_id: target.member_id,
    });
    setInvite({ member_name: target.member_name, ...link });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setInvite(undefined);
    checks.clear();
    const values = { name: form.name.trim(), email: form.email.trim() };
    try {
      const invited = await api.post<{ items: { member_id: number; member_name: string }[] }>(
        '/member/invite',
        {
          members: [{ member_name: values.name, email: values.email, role_ids: [Number(form.roleId)] }],
        },
      );
      await linkFor(invited.items[0]!);
      setForm({ name: '', email: '', roleId: form.roleId });
      await load();
    } catch (caught) {
      setError(checks.absorb(caught, values));
    } finally {
      setBusy(false);
    }
  };

  const roleName = (id: number) => roles.find((r) => r.role_id === id)?.role_name ?? `#${id}`;

  return (
    <Stack gap="md">
      <Title order={2}>Members</Title>
      <form onSubmit={submit} aria-labelledby="invite-title">
        <Stack gap="xs">
          <Title order={3} size="h5" id="invite-title">
            Invite a member
          </Title>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Name"
              required
              value={form.name}
              error={checks.error('name', form.name.trim())}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
              w={{ base: '100%', sm: 220 }}
            />
            <TextInput
              label="E-mail"
              type="email"
              required
              value={form.email}
              error={checks.error('email', form.email.trim())}
              onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
              w={{ base: '100%', sm: 260 }}
            />
            <Select
              label="Role"
              allowDeselect={false}
              data={roles.map((r) => ({ value: String(r.role_id), label: r.role_name }))}
              value={form.roleId}
              onChange={(value) => value && setForm({ ...form, roleId: value })}
              w={{ base: '100%', sm: 160 }}
            />
            <Button type="submit" loading={busy}>
              Invite
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
      {invite && (
        <Alert color="green" title={`Invite link for ${invite.member_name}`} role="status">
          <Text size="sm" mb="xs">
            {invite.emailed_to
              ? `E-mailed to ${invite.emailed_to}. You can also send them this link yourself`
              : invite.email_error
                ? `Vigil could not e-mail it (${invite.email_error}). Send this link to them yourself`
                : 'Vigil does not send e-mail here (no SMTP server is configured). Send this link to them yourself'}
            : it sets their password once, and expires{' '}
            {formatTime(invite.expires_at * 1000, timeZone, member.locale || 'en-US')}.
          </Text>
          <Group gap="xs" wrap="nowrap">
            <TextInput readOnly aria-label="Invite link" value={invite.invite_url} style={{ flex: 1 }} />
            <CopyButton value={invite.invite_url}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </Alert>
      )}

      {!members && !error && <Loader aria-label="Loading members" />}
      {members && (
        <Table.ScrollContainer minWidth={360}>
          <Table aria-label="Members" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th visibleFrom="sm">E-mail</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {members.map((row) => (
                <Table.Tr key={row.member_id}>
                  <Table.Td>{row.member_name}</Table.Td>
                  <Table.Td visibleFrom="sm" style={{ overflowWrap: 'anywhere' }}>
                    {row.email || '—'}
                  </Table.Td>
                  <Table.Td>{row.account_role_ids.map(roleName).join(', ')}</Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="wrap">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Invite link for ${row.member_name}`}
                        onClick={() => linkFor(row).catch((caught) => setError(describeError(caught)))}
                      >
                        Invite link
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Edit roles of ${row.member_name}`}
                        onClick={() => setEditing({ row, roleIds: row.account_role_ids.map(String) })}
                      >
                        Roles
                      </Button>
                      {row.member_id !== member.member_id && (
                        <Button
                          size="compact-sm"
                          variant="subtle"
                          color="red"
                          aria-label={`Remove ${row.member_name}`}
                          onClick={() => setRemoving(row)}
                        >
                          Remove
                        </Button>
                      )}
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
        title={`Roles of ${editing?.row.member_name ?? ''}`}
      >
        {editing && (
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void change(() =>
                api.post('/member/role/update', {
                  member_id: editing.row.member_id,
                  role_ids: editing.roleIds.map(Number),
                }),
              );
            }}
          >
            <Stack gap="sm">
              <MultiSelect
                label="Roles"
                description="What they may do: see the Roles page"
                searchable
                data={roles.map((r) => ({ value: String(r.role_id), label: r.role_name }))}
                value={editing.roleIds}
                onChange={(value) => setEditing({ ...editing, roleIds: value })}
              />
              <Group justify="flex-end">
                <Button variant="default" onClick={() => setEditing(undefined)}>
                  Cancel
                </Button>
                <Button type="submit" loading={busy}>
                  Save roles
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>

      <Modal
        opened={removing !== undefined}
        onClose={() => setRemoving(undefined)}
        title="Remove the member?"
      >
        {removing && (
          <Stack gap="sm">
            <Text size="sm">
              {removing.member_name} can no longer sign in, their app keys are deleted and they leave their
              teams. Check the schedules and escalation rules that name them.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setRemoving(undefined)}>
                Cancel
              </Button>
              <Button
                color="red"
                loading={busy}
                onClick={() =>
                  void change(() => api.post('/member/delete', { member_id: removing.member_id }))
                }
              >
                Remove {removing.member_name}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
