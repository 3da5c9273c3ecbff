import {
  Badge,
  Button,
  Card,
  Checkbox,
  Group,
  Loader,
  Modal,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api, describeError } from '../api.ts';
import { ErrorAlert } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';

type Role = {
  role_id: number;
  role_name: string;
  description: string;
  status: 'enabled' | 'disabled';
  permission_ids: number[];
  editable: boolean;
};
type Permission = { id: number; permission_name: string; permission_type: 'read' | 'manage'; class: string };
type Draft = { roleId?: number; name: string; description: string; permissionIds: string[] };

const EMPTY: Draft = { name: '', description: '', permissionIds: [] };

/**
 * The account's roles and what each may do: the built-in ones (fixed) and the account's own, which
 * this page creates, edits, disables and deletes (Roles Manage). Members get roles on the Members page.
 */
export function RolesPage() {
  const [roles, setRoles] = useState<Role[]>();
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [error, setError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const checks = useChecks('/role/upsert', { name: 'role_name', description: 'description' });
  const [draft, setDraft] = useState<Draft>();
  const [deleting, setDeleting] = useState<Role>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [roleList, permissionList] = await Promise.all([
        api.post<{ items: Role[] }>('/role/list', { asc: true }),
        api.post<{ items: Permission[] }>('/role/permission/list', { with_all: true }),
      ]);
      setRoles(roleList.items);
      setPermissions(permissionList.items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  /** Runs one change, then reloads; a refusal shows in the alert. */
  const act = async (change: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await change();
      await load();
      return true;
    } catch (caught) {
      setError(describeError(caught));
      return false;
    } finally {
      setBusy(false);
    }
  };

  /** Opens the form on a role (or closes it), with nothing said yet about its fields. */
  const openForm = (next: Draft | undefined) => {
    checks.clear();
    setFormError(undefined);
    setDraft(next);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    const values = { name: draft.name.trim(), description: draft.description.trim() };
    if (!checks.ok(values)) return;
    setBusy(true);
    setFormError(undefined);
    try {
      await api.post('/role/upsert', {
        ...(draft.roleId === undefined ? {} : { role_id: draft.roleId }),
        role_name: values.name,
        description: values.description,
        permission_ids: draft.permissionIds.map(Number),
      });
      setDraft(undefined);
      checks.clear();
      await load();
    } catch (caught) {
      // A refusal naming the name or description goes beside it; anything else above the form.
      setFormError(checks.absorb(caught, values));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>Roles</Title>
        <Button onClick={() => openForm(EMPTY)}>Create a role</Button>
      </Group>
      <Text size="sm">
        A member can do what their roles allow, in the console and with their app keys alike. Built-in roles
        cannot change; the account's own roles can, and a disabled role grants nothing. Give roles to members
        on the <Link href="/members">Members</Link> page.
      </Text>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {!roles && !error && <Loader aria-label="Loading roles" />}
      {roles && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {roles.map((role) => {
            const granted = permissions.filter((p) => role.permission_ids.includes(p.id));
            return (
              <Card
                key={role.role_id}
                withBorder
                component="section"
                aria-labelledby={`role-${role.role_id}`}
              >
                <Stack gap="xs">
                  <Group justify="space-between" wrap="nowrap">
                    <Title
                      order={3}
                      size="h4"
                      id={`role-${role.role_id}`}
                      style={{ overflowWrap: 'anywhere' }}
                    >
                      {role.role_name}
                    </Title>
                    <Badge
                      variant="outline"
                      color={role.editable ? (role.status === 'enabled' ? 'green' : 'gray') : 'blue'}
                    >
                      {role.editable ? role.status : 'built-in'}
                    </Badge>
                  </Group>
                  {role.description && (
                    <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                      {role.description}
                    </Text>
                  )}
                  <Text size="sm" fw={600}>
                    {granted.length === 0 ? 'No permissions' : `${granted.length} permissions`}
                  </Text>
                  <Group gap={6} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                    {granted.map((p) => (
                      <li key={p.id}>
                        <Badge variant="light" color={p.permission_type === 'manage' ? 'orange' : 'blue'}>
                          {p.permission_name}
                        </Badge>
                      </li>
                    ))}
                  </Group>
                  {role.editable && (
                    <Group gap={4}>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Edit ${role.role_name}`}
                        onClick={() =>
                          openForm({
                            roleId: role.role_id,
                            name: role.role_name,
                            description: role.description,
                            permissionIds: role.permission_ids.map(String),
                          })
                        }
                      >
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`${role.status === 'enabled' ? 'Disable' : 'Enable'} ${role.role_name}`}
                        loading={busy}
                        onClick={() =>
                          void act(() =>
                            api.post(role.status === 'enabled' ? '/role/disable' : '/role/enable', {
                              role_id: role.role_id,
                            }),
                          )
                        }
                      >
                        {role.status === 'enabled' ? 'Disable' : 'Enable'}
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Delete ${role.role_name}`}
                        onClick={() => setDeleting(role)}
                      >
                        Delete
                      </Button>
                    </Group>
                  )}
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      )}

      <Modal
        opened={draft !== undefined}
        onClose={() => openForm(undefined)}
        title={draft?.roleId === undefined ? 'Create a role' : 'Edit the role'}
      >
        {draft && (
          <form onSubmit={save} aria-label="Role">
            <Stack gap="sm">
              <ErrorAlert error={formError} onClose={() => setFormError(undefined)} />
              <TextInput
                label="Name"
                required
                value={draft.name}
                error={checks.error('name', draft.name.trim())}
                onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
              />
              <TextInput
                label="Description"
                value={draft.description}
                error={checks.error('description', draft.description.trim())}
                onChange={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
              />
              <Checkbox.Group
                label="Permissions"
                value={draft.permissionIds}
                onChange={(value) => setDraft({ ...draft, permissionIds: value })}
              >
                <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={6} mt={6}>
                  {permissions.map((p) => (
                    <Checkbox key={p.id} value={String(p.id)} label={p.permission_name} />
                  ))}
                </SimpleGrid>
              </Checkbox.Group>
              <Group justify="flex-end">
                <Button variant="default" onClick={() => openForm(undefined)}>
                  Cancel
                </Button>
                <Button type="submit" loading={busy}>
                  Save role
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>

      <Modal opened={deleting !== undefined} onClose={() => setDeleting(undefined)} title="Delete the role?">
        {deleting && (
          <Stack gap="sm">
            <Text size="sm">
              {deleting.role_name} goes, and every member who holds it loses its permissions at once.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(undefined)}>
                Cancel
              </Button>
              <Button
                color="red"
                loading={busy}
                onClick={() =>
                  void act(() => api.post('/role/delete', { role_id: deleting.role_id })).then(() =>
                    setDeleting(undefined),
                  )
                }
              >
                Delete {deleting.role_name}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
