import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';
import {
  DEFAULT_TEMPLATE_ID,
  previewSource,
  TEMPLATE_CHANNELS,
  type TemplateChannel,
  type TemplateForm,
  type TemplateInfo,
  templateToForm,
  templateUpdateBody,
} from '../templates.ts';

/*
 * Notification templates (/template/*): the list, a new template by name, and the editor with a
 * body per channel kind and a live preview rendered by Vigil's own renderer (/template/preview)
 * against a sample incident.
 */

export function TemplatesPage() {
  const checks = useChecks('/template/create', { name: 'template_name' });
  const { member, timeZone } = useSession();
  const [, navigate] = useLocation();
  const [items, setItems] = useState<TemplateInfo[]>();
  const [error, setError] = useState<string>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .post<{ items: TemplateInfo[] }>('/template/list', { limit: 100 })
      .then((list) => setItems(list.items))
      .catch((caught) => setError(describeError(caught)));
  }, []);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.post<{ template_id: string }>('/template/create', {
        template_name: name.trim(),
      });
      navigate(`/templates/${created.template_id}`);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <Stack gap="md">
      <Title order={2}>Notification templates</Title>
      <Text size="sm" c="dimmed">
        A template says what each channel's message looks like; escalation rules name the template they use. A
        channel a template leaves empty uses the default template's body.
      </Text>
      <form onSubmit={create} aria-label="New template">
        <Group align="flex-end" gap="sm" wrap="wrap">
          <TextInput
            label="New template's name"
            required
            error={checks.error('name', name)}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            w={{ base: '100%', sm: 280 }}
          />
          <Button type="submit" loading={busy}>
            Create template
          </Button>
        </Group>
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
      {!items && !error && <Loader aria-label="Loading templates" />}
      {items && (
        <Table.ScrollContainer minWidth={320}>
          <Table aria-label="Templates" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Template</Table.Th>
                <Table.Th visibleFrom="sm">Description</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((t) => (
                <Table.Tr key={t.template_id}>
                  <Table.Td>
                    <Link href={`/templates/${t.template_id}`}>{t.template_name}</Link>
                    {t.template_id === DEFAULT_TEMPLATE_ID && (
                      <Badge ml={6} variant="light" color="gray">
                        Built in
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Text size="sm" lineClamp={2}>
                      {t.description || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {t.updated_at ? formatTime(t.updated_at * 1000, timeZone, member.locale || 'en-US') : '—'}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {items && items.length <= 1 && (
        <Text size="sm" c="dimmed">
          Only the built-in template so far: name a new one above to write your own messages.
        </Text>
      )}
    </Stack>
  );
}

type Preview = { content: string; message: string; success: boolean; fromDefault: boolean };

export function TemplatePage({ templateId }: { templateId: string }) {
  const checks = useChecks('/template/update', { name: 'template_name', description: 'description' });
  const [, navigate] = useLocation();
  const [info, setInfo] = useState<TemplateInfo>();
  const [form, setForm] = useState<TemplateForm>();
  const [defaults, setDefaults] = useState<TemplateInfo>();
  const [channel, setChannel] = useState<TemplateChannel>('email');
  const [incidentId, setIncidentId] = useState('');
  const [preview, setPreview] = useState<Preview>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const readOnly = templateId.toLowerCase() === DEFAULT_TEMPLATE_ID;

  const load = useCallback(async () => {
    try {
      const [own, builtIn] = await Promise.all([
        api.post<TemplateInfo>('/template/info', { template_id: templateId }),
        api.post<TemplateInfo>('/template/info', { template_id: DEFAULT_TEMPLATE_ID }),
      ]);
      setInfo(own);
      setForm(templateToForm(own));
      setDefaults(builtIn);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [templateId]);
  useEffect(() => {
    void load();
  }, [load]);

  // The preview follows the text, rendered by the server a moment after typing stops.
  const source = form ? previewSource(form, channel, defaults) : undefined;
  useEffect(() => {
    if (!source) return;
    let stale = false;
    const timer = setTimeout(() => {
      api
        .post<{ content: string; success: boolean; message: string }>('/template/preview', {
          content: source.content,
          type: channel,
          ...(incidentId.trim() ? { incident_id: incidentId.trim() } : {}),
        })
        .then((result) => {
          if (!stale) setPreview({ ...result, fromDefault: source.fromDefault });
        })
        .catch((caught) => {
          if (!stale)
            setPreview({ content: '', success: false, message: describeError(caught), fromDefault: false });
        });
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [source?.content, source?.fromDefault, channel, source, incidentId]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!form || !info) return;
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    try {
      await api.post('/template/update', templateUpdateBody(templateId, form, info.team_id));
      setSaved('Saved.');
      const fresh = await api.post<TemplateInfo>('/template/info', { template_id: templateId });
      setInfo(fresh);
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api.post('/template/delete', { template_id: templateId });
      navigate('/templates');
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
      setConfirmDelete(false);
    }
  };

  const kind = TEMPLATE_CHANNELS.find((c) => c.key === channel)!;

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>{info?.template_name ?? 'Template'}</Title>
        <Button component={Link} variant="default" href="/templates">
          All templates
        </Button>
      </Group>
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
      {saved && (
        <Alert color="green" role="status" withCloseButton onClose={() => setSaved(undefined)}>
          {saved}
        </Alert>
      )}
      {readOnly && (
        <Alert color="gray" title="Built into Vigil">
          The default template cannot be changed; its bodies are used wherever another template leaves a
          channel empty. Create your own template to change the messages.
        </Alert>
      )}
      {!form && !error && <Loader aria-label="Loading the template" />}
      {form && (
        <form onSubmit={save} aria-label="Template">
          <Stack gap="md">
            <Group align="flex-start" gap="sm" wrap="wrap">
              <TextInput
                label="Name"
                required
                error={checks.error('name', form.name)}
                readOnly={readOnly}
                value={form.name}
                onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
                w={{ base: '100%', sm: 280 }}
              />
              <TextInput
                label="Description"
                error={checks.error('description', form.description)}
                readOnly={readOnly}
                value={form.description}
                onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
                style={{ flex: 1 }}
                miw={200}
              />
            </Group>
            <NativeSelect
              label="Channel kind"
              description="each kind has its own body"
              data={TEMPLATE_CHANNELS.map((c) => ({
                value: c.key,
                label: `${c.label}${form.bodies[c.key].trim() ? '' : ' (default)'}`,
              }))}
              value={channel}
              onChange={(e) => setChannel(e.currentTarget.value as TemplateChannel)}
              w={{ base: '100%', sm: 280 }}
            />
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              <Textarea
                label={`${kind.label} body`}
                description={`${kind.hint}; Go template syntax, e.g. {{.Title}}. Empty: the default template's.`}
                readOnly={readOnly}
                autosize
                minRows={10}
                maxRows={30}
                styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
                value={form.bodies[channel]}
                placeholder={defaults?.[channel]}
                onChange={(e) =>
                  setForm({ ...form, bodies: { ...form.bodies, [channel]: e.currentTarget.value } })
                }
              />
              <Stack gap={4}>
                <Text size="sm" fw={500} id="preview-title">
                  {incidentId.trim() ? 'Preview with the incident' : 'Preview with a sample incident'}
                </Text>
                <Paper withBorder p="sm" aria-labelledby="preview-title" role="region" aria-live="polite">
                  {!preview && <Loader size="sm" aria-label="Rendering" />}
                  {preview && !preview.success && (
                    <Text size="sm" c="red" role="alert">
                      {kind.key}: {preview.message}
                    </Text>
                  )}
                  {preview?.success && (
                    <>
                      {preview.fromDefault && (
                        <Text size="xs" c="dimmed" mb={4}>
                          This kind is empty here, so the default template's body is shown.
                        </Text>
                      )}
                      <Code
                        block
                        style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}
                        data-testid="preview"
                      >
                        {preview.content || '(empty)'}
                      </Code>
                    </>
                  )}
                </Paper>
                <TextInput
                  label="Preview with incident"
                  description="an incident id (from its address); empty: a sample incident"
                  size="xs"
                  value={incidentId}
                  onChange={(e) => setIncidentId(e.currentTarget.value)}
                />
              </Stack>
            </SimpleGrid>
            {!readOnly && (
              <Group gap="sm">
                <Button type="submit" loading={busy}>
                  Save
                </Button>
                <Button color="red" variant="light" onClick={() => setConfirmDelete(true)} disabled={busy}>
                  Delete
                </Button>
              </Group>
            )}
          </Stack>
        </form>
      )}
      <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title="Delete this template?">
        <Text size="sm" mb="md">
          Its name is free again; notifications already queued still use it. Point the escalation rules that
          name it at another template.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmDelete(false)}>
            Keep it
          </Button>
          <Button color="red" loading={busy} onClick={() => void remove()}>
            Delete the template
          </Button>
        </Group>
      </Modal>
    </Stack>
  );
}
