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
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { useChecks } from '../field-checks.ts';
import { type StatusPage, slugOf, statusColor, statusWords } from '../statusPages.ts';

const WORST = ['operational', 'under_maintenance', 'degraded', 'partial_outage', 'full_outage'];

/** The worst current status among a page's components ("operational" when it has none). */
function overall(page: StatusPage): string {
  return page.components.reduce(
    (worst, c) => (WORST.indexOf(c.status) > WORST.indexOf(worst) ? c.status : worst),
    'operational',
  );
}

/** A link to the page the public (or the account, for an internal page) sees, in a new tab. */
export function PublicLink({ page }: { page: Pick<StatusPage, 'name' | 'url_name'> }) {
  return (
    <Anchor
      href={`/status/${encodeURIComponent(page.url_name)}`}
      target="_blank"
      rel="noopener noreferrer"
      aria-label={`/status/${page.url_name}: open the public page of ${page.name} (new tab)`}
      style={{ overflowWrap: 'anywhere' }}
    >
      /status/{page.url_name}
    </Anchor>
  );
}

/** The account's status pages and a form to create one; each opens on its own page. */
export function StatusPagesPage() {
  const [, navigate] = useLocation();
  const [pages, setPages] = useState<StatusPage[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [form, setForm] = useState({
    name: '',
    urlName: '',
    urlEdited: false,
    type: 'public',
    dateView: 'list',
    uptime: 'chart_and_percentage',
  });

  const checks = useChecks('/status-page/create', { name: 'name', urlName: 'url_name' });
  const values = { name: form.name.trim(), urlName: form.urlName.trim() };

  const load = useCallback(async () => {
    try {
      setPages((await api.get<{ items: StatusPage[] }>('/status-page/list')).items);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!checks.ok(values)) return;
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<{ page_id: number }>('/status-page/create', {
        name: values.name,
        url_name: values.urlName,
        type: form.type,
        date_view: form.dateView,
        display_uptime_mode: form.uptime,
      });
      navigate(`/status-pages/${created.page_id}`);
    } catch (caught) {
      // A refusal naming the name or the address (taken, wrong characters) goes beside it.
      setError(checks.absorb(caught, values));
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Title order={2}>Status pages</Title>
      <form onSubmit={submit} aria-labelledby="new-page-title">
        <Stack gap="xs">
          <Title order={3} size="h5" id="new-page-title">
            Create a status page
          </Title>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Name"
              required
              value={form.name}
              error={checks.error('name', values.name)}
              onChange={(e) => {
                const name = e.currentTarget.value;
                setForm({ ...form, name, urlName: form.urlEdited ? form.urlName : slugOf(name) });
              }}
              w={{ base: '100%', sm: 220 }}
            />
            <TextInput
              label="Address"
              description="/status/…: letters, digits, - and _"
              required
              value={form.urlName}
              error={checks.error('urlName', values.urlName)}
              onChange={(e) => setForm({ ...form, urlName: e.currentTarget.value, urlEdited: true })}
              w={{ base: '100%', sm: 200 }}
            />
            <Select
              label="Visibility"
              allowDeselect={false}
              data={[
                { value: 'public', label: 'Public' },
                { value: 'internal', label: 'Internal' },
              ]}
              value={form.type}
              onChange={(value) => value && setForm({ ...form, type: value })}
              w={{ base: '100%', sm: 130 }}
            />
            <Select
              label="History view"
              allowDeselect={false}
              data={[
                { value: 'list', label: 'List' },
                { value: 'calendar', label: 'Calendar' },
              ]}
              value={form.dateView}
              onChange={(value) => value && setForm({ ...form, dateView: value })}
              w={{ base: '100%', sm: 130 }}
            />
            <Select
              label="Uptime"
              allowDeselect={false}
              data={[
                { value: 'chart_and_percentage', label: 'Bars and percentage' },
                { value: 'chart', label: 'Bars only' },
                { value: 'none', label: 'Hidden' },
              ]}
              value={form.uptime}
              onChange={(value) => value && setForm({ ...form, uptime: value })}
              w={{ base: '100%', sm: 200 }}
            />
            <Button type="submit" loading={busy}>
              Create
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

      {!pages && !error && <Loader aria-label="Loading status pages" />}
      {pages && pages.length === 0 && (
        <Text c="dimmed">
          No status pages yet. Create one above, then add its components and post events on it.
        </Text>
      )}
      {pages && pages.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="Status pages" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th visibleFrom="sm">Visibility</Table.Th>
                <Table.Th visibleFrom="sm">Components</Table.Th>
                <Table.Th>Public page</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {pages.map((page) => (
                <Table.Tr key={page.page_id}>
                  <Table.Td>
                    <Anchor component={Link} href={`/status-pages/${page.page_id}`}>
                      {page.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusColor(overall(page))} variant="filled" miw="max-content">
                      {statusWords(overall(page))}
                    </Badge>
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{page.type === 'public' ? 'Public' : 'Internal'}</Table.Td>
                  <Table.Td visibleFrom="sm">{page.components.length}</Table.Td>
                  <Table.Td>
                    <PublicLink page={page} />
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
