import {
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  Modal,
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
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';
import { CopyField } from '../setup-ui.tsx';

type AppKey = { key_id: number; key_name: string; status: 'enabled' | 'disabled'; created_at: number };

/**
 * The member's own app keys, for scripts and tools calling the Open API as them: create (the key
 * is shown once), disable or enable, delete.
 */
export function AppKeysPage() {
  const checks = useChecks('/person/app-key/create', { name: 'key_name' });
  const { member, timeZone } = useSession();
  const [keys, setKeys] = useState<AppKey[]>();
  const [error, setError] = useState<string>();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ key_name: string; key: string }>();
  const [deleting, setDeleting] = useState<AppKey>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setKeys((await api.post<{ items: AppKey[] }>('/person/app-key/list', { limit: 100 })).items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const act = async (call: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await call();
      await load();
      return true;
    } catch (caught) {
      setError(describeError(caught));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setCreated(undefined);
    await act(async () => {
      const answer = await api.post<{ key_name: string; key: string }>('/person/app-key/create', {
        key_name: name.trim(),
      });
      setCreated(answer);
      setName('');
    });
  };

  return (
    <Stack gap="md">
      <Title order={2}>App keys</Title>
      <Text size="sm">
        An app key lets a script call Vigil's Open API as you (<code>?app_key=…</code>), with your roles'
        permissions.
      </Text>
      <form onSubmit={create} aria-labelledby="new-key-title">
        <Stack gap="xs">
          <Title order={3} size="h5" id="new-key-title">
            Create an app key
          </Title>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Key name"
              required
              error={checks.error('name', name)}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={{ base: '100%', sm: 260 }}
            />
            <Button type="submit" loading={busy}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {created && (
        <Alert
          color="green"
          title={`App key ${created.key_name}`}
          role="status"
          withCloseButton
          onClose={() => setCreated(undefined)}
        >
          <Text size="sm" mb="xs">
            Copy it now: Vigil shows it only this once.
          </Text>
          <CopyField label="New app key" value={created.key} />
        </Alert>
      )}
      {!keys && !error && <Loader aria-label="Loading app keys" />}
      {keys && keys.length === 0 && (
        <Text c="dimmed">You have no app keys. Create one above for a script or tool.</Text>
      )}
      {keys && keys.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="App keys" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th visibleFrom="sm">Created</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.map((key) => (
                <Table.Tr key={key.key_id}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {key.key_name}{' '}
                    {key.status === 'disabled' && (
                      <Badge color="gray" variant="light">
                        Disabled
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    {formatTime(key.created_at * 1000, timeZone, member.locale || 'en-US')}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`${key.status === 'enabled' ? 'Disable' : 'Enable'} ${key.key_name}`}
                        onClick={() =>
                          void act(() =>
                            api.post(`/person/app-key/${key.status === 'enabled' ? 'disable' : 'enable'}`, {
                              key_id: key.key_id,
                            }),
                          )
                        }
                      >
                        {key.status === 'enabled' ? 'Disable' : 'Enable'}
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Delete ${key.key_name}`}
                        onClick={() => setDeleting(key)}
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
        opened={deleting !== undefined}
        onClose={() => setDeleting(undefined)}
        title="Delete the app key?"
      >
        {deleting && (
          <Stack gap="sm">
            <Text size="sm">
              Scripts using {deleting.key_name} stop working at once. This cannot be undone.
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDeleting(undefined)}>
                Cancel
              </Button>
              <Button
                color="red"
                loading={busy}
                onClick={() =>
                  void act(() => api.post('/person/app-key/delete', { key_id: deleting.key_id })).then(() =>
                    setDeleting(undefined),
                  )
                }
              >
                Delete {deleting.key_name}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
