import {
  Alert,
  Badge,
  Button,
  Checkbox,
  FileButton,
  Group,
  Loader,
  NativeSelect,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { ConfirmModal, ErrorAlert, Notice, useAction } from '../components/feedback.tsx';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';
import {
  type CsvSubscriber,
  groupComponents,
  parseRecipients,
  parseSubscriberCsv,
  type StatusPage,
  withQuery,
} from '../statusPages.ts';

type Method = 'email' | 'im' | 'webhook';
type Subscriber = {
  recipient: string;
  method: Method;
  components: { component_id: string; name: string }[];
  all: boolean;
  status: 'pending' | 'active';
  created_at: number;
};

const PAGE_SIZE = 20;
const METHOD_WORDS: Record<Method, string> = { email: 'E-mail', im: 'IM (member ids)', webhook: 'Webhook' };
const PLACEHOLDER: Record<Method, string> = {
  email: 'ops@example.com\nteam@example.com',
  im: '1234567',
  webhook: 'https://hooks.example.com/status',
};

/**
 * Who hears about this page's events: e-mail (public pages) or IM (internal pages) subscribers, and
 * webhooks. Add several at once (an import: active at once, no confirmation mail), remove one,
 * export them as CSV.
 */
export function StatusSubscribersPanel({ page }: { page: StatusPage }) {
  const { member, timeZone, delivery } = useSession();
  const methods: Method[] = page.type === 'public' ? ['email', 'webhook'] : ['im', 'webhook'];
  const [method, setMethod] = useState<Method>(methods[0]!);
  const [pageNumber, setPageNumber] = useState(1);
  const [list, setList] = useState<{ items: Subscriber[]; total: number; has_next_page: boolean }>();
  const [form, setForm] = useState({ recipients: '', components: [] as string[] });
  const [removing, setRemoving] = useState<Subscriber>();
  const action = useAction();
  const adding = useAction();
  const components = groupComponents(page.sections, page.components).flatMap((g) => g.components);

  const load = useCallback(async () => {
    setList(
      await api.get(
        withQuery('/status-page/subscriber/list', {
          page_id: page.page_id,
          method,
          p: pageNumber,
          limit: PAGE_SIZE,
        }),
      ),
    );
  }, [page.page_id, method, pageNumber]);
  const { run } = action;
  useEffect(() => {
    void run(load);
  }, [run, load]);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    const recipients = parseRecipients(form.recipients);
    const done = await adding.run(
      async () => {
        await api.post('/status-page/subscriber/import', {
          page_id: page.page_id,
          method,
          subscribers: recipients.map((recipient) =>
            form.components.length > 0
              ? { recipient, component_ids: form.components, all: false }
              : { recipient, all: true },
          ),
        });
        await load();
      },
      `${recipients.length === 1 ? '1 subscriber' : `${recipients.length} subscribers`} added.`,
    );
    if (done) setForm({ recipients: '', components: [] });
  };

  const exportCsv = () =>
    action.run(async () => {
      const csv = await api.post<string>('/status-page/subscriber/export', { page_id: page.page_id });
      const link = document.createElement('a');
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      link.href = url;
      link.download = `subscribers-${page.url_name}.csv`;
      link.click();
      // Not at once: the browser may still be reading it.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }, 'Exported: the file holds the confirmed subscribers of every kind.');

  const resetFile = useRef<() => void>(null);
  const importCsv = async (file: File | null) => {
    if (!file) return;
    const parsed = parseSubscriberCsv(await file.text());
    resetFile.current?.();
    const count = 'subscribers' in parsed ? parsed.subscribers.length : 0;
    await action.run(
      async () => {
        if ('error' in parsed) throw new Error(`${file.name}: ${parsed.error}`);
        const byMethod = new Map<Method, Omit<CsvSubscriber, 'method'>[]>();
        for (const { method: kind, ...subscriber } of parsed.subscribers) {
          byMethod.set(kind, [...(byMethod.get(kind) ?? []), subscriber]);
        }
        // One call per method, at most 1,000 subscribers each (the API's limit).
        for (const [kind, subscribers] of byMethod) {
          for (let start = 0; start < subscribers.length; start += 1000) {
            await api.post('/status-page/subscriber/import', {
              page_id: page.page_id,
              method: kind,
              subscribers: subscribers.slice(start, start + 1000),
            });
          }
        }
        await load();
      },
      `${count === 1 ? '1 subscriber' : `${count} subscribers`} imported from ${file.name}.`,
    );
  };

  return (
    <Stack gap="md">
      {!delivery.email && (method === 'email' || method === 'im') && (
        <Alert color="orange" title="E-mail is not configured on this server" data-testid="no-smtp">
          Vigil has no mail transport (SMTP_URL is not set), so {method === 'email' ? 'e-mail' : 'IM'}{' '}
          subscribers receive nothing
          {page.type === 'public' ? ' and the public page shows no subscribe form' : ''}. An administrator
          sets SMTP_URL where Vigil runs (docs/notifications.md); webhook subscribers are still notified.
        </Alert>
      )}
      <Group gap="sm" align="flex-end" wrap="wrap">
        <NativeSelect
          label="Kind"
          data={methods.map((m) => ({ value: m, label: METHOD_WORDS[m] }))}
          value={method}
          onChange={(e) => {
            setMethod(e.currentTarget.value as Method);
            setPageNumber(1);
          }}
        />
        <Button variant="default" onClick={() => void exportCsv()}>
          Export CSV
        </Button>
        <FileButton onChange={(file) => void importCsv(file)} accept=".csv,text/csv" resetRef={resetFile}>
          {(props) => (
            <Button variant="default" {...props}>
              Import CSV
            </Button>
          )}
        </FileButton>
      </Group>
      <Text size="xs" c="dimmed">
        The CSV holds Method, Recipient, Components (ids separated by ;), Subscribe All and Locale; an
        exported file can be imported again (here or on another page).
      </Text>
      <ErrorAlert error={action.error} onClose={action.clearError} />
      <Notice text={action.notice} />

      <form onSubmit={add} aria-labelledby="add-subscribers">
        <Stack gap="xs" maw={640}>
          <Title order={3} size="h5" id="add-subscribers">
            Add subscribers
          </Title>
          <Textarea
            label={method === 'email' ? 'E-mail addresses' : method === 'im' ? 'Member ids' : 'Webhook URLs'}
            description="One per line. Added subscribers are active at once; no confirmation is asked."
            placeholder={PLACEHOLDER[method]}
            required
            autosize
            minRows={2}
            value={form.recipients}
            onChange={(e) => setForm({ ...form, recipients: e.currentTarget.value })}
          />
          {components.length > 0 && (
            <Checkbox.Group
              label="Only about these components"
              description="None checked: every event of the page"
              value={form.components}
              onChange={(value) => setForm({ ...form, components: value })}
            >
              <Group gap="sm" mt={4}>
                {components.map((c) => (
                  <Checkbox key={c.component_id} value={c.component_id} label={c.name} />
                ))}
              </Group>
            </Checkbox.Group>
          )}
          <ErrorAlert error={adding.error} onClose={adding.clearError} />
          <Group>
            <Button type="submit" loading={adding.busy}>
              Add
            </Button>
            <Notice text={adding.notice} />
          </Group>
        </Stack>
      </form>

      {!list && !action.error && <Loader size="sm" aria-label="Loading subscribers" />}
      {list && list.total === 0 && (
        <Text c="dimmed">
          No {METHOD_WORDS[method].toLowerCase()} subscribers yet.{' '}
          {method === 'email'
            ? 'Visitors subscribe on the public page (and confirm by e-mail), or add addresses above.'
            : 'Add them above.'}
        </Text>
      )}
      {list && list.total > 0 && (
        <>
          <Table.ScrollContainer minWidth={320}>
            <Table aria-label="Subscribers" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Recipient</Table.Th>
                  <Table.Th>About</Table.Th>
                  <Table.Th visibleFrom="sm">Since</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.items.map((s) => (
                  <Table.Tr key={`${s.method}:${s.recipient}`}>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>
                      {s.recipient}{' '}
                      {s.status === 'pending' && (
                        <Badge variant="light" color="yellow">
                          Not confirmed
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {s.all ? 'Everything' : s.components.map((c) => c.name).join(', ') || 'Some events'}
                    </Table.Td>
                    <Table.Td visibleFrom="sm">
                      {formatTime(s.created_at * 1000, timeZone, member.locale || 'en-US')}
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove ${s.recipient}`}
                        onClick={() => setRemoving(s)}
                      >
                        Remove
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group gap="sm">
            <Text size="sm">
              {list.total} in all{list.total > PAGE_SIZE ? `, page ${pageNumber}` : ''}
            </Text>
            {pageNumber > 1 && (
              <Button size="compact-sm" variant="default" onClick={() => setPageNumber(pageNumber - 1)}>
                Previous
              </Button>
            )}
            {list.has_next_page && (
              <Button size="compact-sm" variant="default" onClick={() => setPageNumber(pageNumber + 1)}>
                Next
              </Button>
            )}
          </Group>
        </>
      )}
      <ConfirmModal
        title={removing ? `Remove ${removing.recipient}?` : undefined}
        body="They get no more notifications from this page."
        confirmLabel="Remove"
        onClose={() => setRemoving(undefined)}
        onConfirm={() =>
          action.run(async () => {
            await api.post('/status-page/subscriber/delete', {
              page_id: page.page_id,
              method: removing?.method,
              recipients: [removing?.recipient],
            });
            if (list?.items.length === 1 && pageNumber > 1) setPageNumber(pageNumber - 1);
            else await load();
          }, 'Subscriber removed.')
        }
      />
    </Stack>
  );
}
