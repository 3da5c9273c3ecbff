import {
  Button,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { ConfirmModal, ErrorAlert, Notice, useAction } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import {
  EVENT_STATUSES,
  type EventTemplate,
  type EventType,
  type StatusPage,
  statusWords,
  withQuery,
} from '../statusPages.ts';
import { StatusBadge } from './statusPageParts.tsx';

const KIND_WORDS = { pre_defined: 'New event', message: 'Update' } as const;

type Form = {
  template_id?: string;
  type: 'pre_defined' | 'message';
  event_type: EventType;
  status: string;
  title: string;
  description: string;
};

const EMPTY: Form = {
  type: 'pre_defined',
  event_type: 'incident',
  status: 'investigating',
  title: '',
  description: '',
};

/** Canned text for new events (title, description, status) and for updates (status, message). */
export function StatusTemplatesPanel({ page }: { page: StatusPage }) {
  const [templates, setTemplates] = useState<EventTemplate[]>();
  const [editing, setEditing] = useState<Form>();
  const [removing, setRemoving] = useState<EventTemplate>();
  const action = useAction();
  const dialog = useAction();
  const checks = useChecks('/status-page/template/upsert', {
    title: 'template.title',
    description: 'template.description',
  });

  const load = useCallback(async () => {
    const list = await api.get<{ items: EventTemplate[] }>(
      withQuery('/status-page/template/list', { page_id: page.page_id }),
    );
    setTemplates(list.items);
  }, [page.page_id]);
  const { run } = action;
  useEffect(() => {
    void run(load);
  }, [run, load]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!editing) return;
    const { type, ...template } = editing;
    const values = { title: template.title.trim(), description: template.description };
    if (!checks.ok(values)) return;
    let saved = false;
    await dialog.run(async () => {
      try {
        await api.post('/status-page/template/upsert', {
          page_id: page.page_id,
          type,
          template: { ...template, title: values.title },
        });
      } catch (caught) {
        // What the server says of the title or text goes beside it; the rest above the buttons.
        if (checks.absorb(caught, values) !== undefined) throw caught;
        return;
      }
      saved = true;
      await load();
    });
    if (saved) setEditing(undefined);
  };

  return (
    <Stack gap="md">
      <Group>
        <Button
          onClick={() => {
            checks.clear();
            setEditing(EMPTY);
          }}
        >
          Add a template
        </Button>
      </Group>
      <ErrorAlert error={action.error} onClose={action.clearError} />
      <Notice text={action.notice} />
      {!templates && !action.error && <Loader size="sm" aria-label="Loading templates" />}
      {templates && templates.length === 0 && (
        <Text c="dimmed">
          No templates yet. Add the words you use again and again (“We are investigating…”, “A fix is
          deployed…”): they fill the forms when you open an event or post an update.
        </Text>
      )}
      {templates && templates.length > 0 && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="Templates" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>For</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Text</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {templates.map((t) => (
                <Table.Tr key={t.template_id}>
                  <Table.Td>
                    {KIND_WORDS[t.type]} ({t.event_type})
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={t.status} />
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>
                    {t.title && (
                      <Text fw={500} size="sm">
                        {t.title}
                      </Text>
                    )}
                    <Text size="sm" lineClamp={2}>
                      {t.description}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Edit template ${t.title || t.description.slice(0, 40)}`}
                        onClick={() => {
                          checks.clear();
                          setEditing({
                            template_id: t.template_id,
                            type: t.type,
                            event_type: t.event_type,
                            status: t.status,
                            title: t.title,
                            description: t.description,
                          });
                        }}
                      >
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Remove template ${t.title || t.description.slice(0, 40)}`}
                        onClick={() => setRemoving(t)}
                      >
                        Remove
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
        opened={editing !== undefined}
        onClose={() => setEditing(undefined)}
        title={editing?.template_id ? 'Edit the template' : 'Add a template'}
      >
        {editing && (
          <form onSubmit={submit}>
            <Stack gap="sm">
              <NativeSelect
                label="Used for"
                data={[
                  { value: 'pre_defined', label: 'Opening an event' },
                  { value: 'message', label: 'Posting an update' },
                ]}
                value={editing.type}
                onChange={(e) => setEditing({ ...editing, type: e.currentTarget.value as Form['type'] })}
              />
              <NativeSelect
                label="Event type"
                data={[
                  { value: 'incident', label: 'Incident' },
                  { value: 'maintenance', label: 'Maintenance' },
                ]}
                value={editing.event_type}
                onChange={(e) => {
                  const eventType = e.currentTarget.value as EventType;
                  setEditing({ ...editing, event_type: eventType, status: EVENT_STATUSES[eventType][0]! });
                }}
              />
              <NativeSelect
                label="Status"
                data={EVENT_STATUSES[editing.event_type].map((s) => ({ value: s, label: statusWords(s) }))}
                value={editing.status}
                onChange={(e) => setEditing({ ...editing, status: e.currentTarget.value })}
              />
              <TextInput
                label="Title"
                required={editing.type === 'pre_defined'}
                value={editing.title}
                error={checks.error('title', editing.title.trim())}
                onChange={(e) => setEditing({ ...editing, title: e.currentTarget.value })}
              />
              <Textarea
                label="Text"
                required
                autosize
                minRows={3}
                value={editing.description}
                error={checks.error('description', editing.description)}
                onChange={(e) => setEditing({ ...editing, description: e.currentTarget.value })}
              />
              <ErrorAlert error={dialog.error} onClose={dialog.clearError} />
              <Group justify="flex-end">
                <Button type="submit" loading={dialog.busy}>
                  Save
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
      <ConfirmModal
        title={removing ? 'Remove this template?' : undefined}
        body="Events already written with it keep their text."
        confirmLabel="Remove"
        onClose={() => setRemoving(undefined)}
        onConfirm={() =>
          action.run(async () => {
            await api.post('/status-page/template/delete', {
              page_id: page.page_id,
              template_id: removing?.template_id,
            });
            await load();
          }, 'Template removed.')
        }
      />
    </Stack>
  );
}
