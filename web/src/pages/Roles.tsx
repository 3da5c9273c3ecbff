import { Badge, Card, Group, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api, describeError } from '../api.ts';
import { ErrorAlert } from '../components/feedback.tsx';

type Role = {
  role_id: number;
  role_name: string;
  description: string;
  permission_ids: number[];
  editable: boolean;
};
type Permission = { id: number; permission_name: string; permission_type: 'read' | 'manage'; class: string };

/**
 * The account's roles and what each may do. Vigil's roles are built in (the API has no custom
 * roles), so this page explains them; members get them on the Members page.
 */
export function RolesPage() {
  const [roles, setRoles] = useState<Role[]>();
  const [permissions, setPermissions] = useState<Permission[]>([]);
  const [error, setError] = useState<string>();

  useEffect(() => {
    Promise.all([
      api.post<{ items: Role[] }>('/role/list', { asc: true }),
      api.post<{ items: Permission[] }>('/role/permission/list', { with_all: true }),
    ])
      .then(([roleList, permissionList]) => {
        setRoles(roleList.items);
        setPermissions(permissionList.items);
      })
      .catch((caught) => setError(describeError(caught)));
  }, []);

  return (
    <Stack gap="md">
      <Title order={2}>Roles</Title>
      <Text size="sm">
        A member can do what their roles allow, in the console and with their app keys alike. The roles are
        built in; give them to members on the <Link href="/members">Members</Link> page.
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
                  <Title order={3} size="h4" id={`role-${role.role_id}`}>
                    {role.role_name}
                  </Title>
                  {role.description && (
                    <Text size="sm" c="dimmed">
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
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      )}
    </Stack>
  );
}
