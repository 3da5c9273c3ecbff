import {
  ActionIcon,
  Alert,
  Button,
  ColorInput,
  Group,
  Loader,
  Modal,
  NativeSelect,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { ConfirmModal, ErrorAlert, Notice, useAction } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { CopyField } from '../setup-ui.tsx';
import {
  byOrder,
  groupComponents,
  moveBy,
  nextOrder,
  type PageComponent,
  type Section,
  type StatusPage,
  withQuery,
} from '../statusPages.ts';
import { timeZones } from '../timeline.ts';
import { StatusEventsPanel } from './StatusPageEvents.tsx';
import { StatusSubscribersPanel } from './StatusPageSubscribers.tsx';
import { PublicLink } from './StatusPages.tsx';
import { StatusTemplatesPanel } from './StatusPageTemplates.tsx';
import { StatusBadge } from './statusPageParts.tsx';

/** One status page: its events, components, templates, subscribers and settings, one tab each. */
export function StatusPageDetailPage({ pageId }: { pageId: string }) {
  const [page, setPage] = useState<StatusPage>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      setPage(await api.get<StatusPage>(withQuery('/status-page/info', { page_id: pageId })));
      setError(undefined);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [pageId]);
  useEffect(() => {
    void load();
  }, [load]);

  if (!page) {
    return error ? (
      <Alert color="red" title="This status page could not be shown" role="alert">
        {error} <Link href="/status-pages">Back to the status pages.</Link>
      </Alert>
    ) : (
      <Loader aria-label="Loading the status page" />
    );
  }
  return (
    <Stack gap="md">
      <Stack gap={4}>
        <Text size="sm">
          <Link href="/status-pages">Status pages</Link>
        </Text>
        <Title order={2} style={{ overflowWrap: 'anywhere' }}>
          {page.name}
        </Title>
        <Text size="sm">
          {page.type === 'public' ? 'Public page' : 'Internal page'} at <PublicLink page={page} />
        </Text>
      </Stack>
      <Tabs defaultValue="events" keepMounted={false}>
        <Tabs.List style={{ flexWrap: 'wrap' }}>
          <Tabs.Tab value="events">Events</Tabs.Tab>
          <Tabs.Tab value="components">Components</Tabs.Tab>
          <Tabs.Tab value="templates">Templates</Tabs.Tab>
          <Tabs.Tab value="subscribers">Subscribers</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="events" pt="md">
          <StatusEventsPanel page={page} onChanged={load} />
        </Tabs.Panel>
        <Tabs.Panel value="components" pt="md">
          <ComponentsPanel page={page} onChanged={load} />
        </Tabs.Panel>
        <Tabs.Panel value="templates" pt="md">
          <StatusTemplatesPanel page={page} />
        </Tabs.Panel>
        <Tabs.Panel value="subscribers" pt="md">
          <StatusSubscribersPanel page={page} />
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <SettingsPanel page={page} onChanged={load} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

type Editing =
  | { kind: 'section'; section?: Section }
  | { kind: 'component'; component?: PageComponent }
  | undefined;

function ComponentsPanel({ page, onChanged }: { page: StatusPage; onChanged: () => Promise<void> }) {
  const action = useAction();
  const [editing, setEditing] = useState<Editing>();
  const [removing, setRemoving] = useState<
    { kind: 'section'; item: Section } | { kind: 'component'; item: PageComponent }
  >();
  // Components outside any section get a group only when there are some.
  const groups = groupComponents(page.sections, page.components).filter(
    (g) => g.section || g.components.length > 0,
  );
  const sections = byOrder(page.sections, (s) => s.section_id);

  const moveSection = (index: number, delta: -1 | 1) =>
    action.run(async () => {
      const moves = moveBy(sections, index, delta);
      await api.post('/status-page/section/upsert', {
        page_id: page.page_id,
        sections: moves.map((m) => ({
          section_id: m.item.section_id,
          name: m.item.name,
          order_id: m.order_id,
        })),
      });
      await onChanged();
    }, 'Order saved.');
  const moveComponent = (list: PageComponent[], index: number, delta: -1 | 1) =>
    action.run(async () => {
      const moves = moveBy(list, index, delta);
      await api.post('/status-page/component/upsert', {
        page_id: page.page_id,
        components: moves.map((m) => ({
          component_id: m.item.component_id,
          name: m.item.name,
          order_id: m.order_id,
        })),
      });
      await onChanged();
    }, 'Order saved.');

  return (
    <Stack gap="md">
      <Group gap="sm">
        <Button onClick={() => setEditing({ kind: 'component' })}>Add a component</Button>
        <Button variant="default" onClick={() => setEditing({ kind: 'section' })}>
          Add a section
        </Button>
      </Group>
      <ErrorAlert error={action.error} onClose={action.clearError} />
      <Notice text={action.notice} />
      {page.components.length === 0 && page.sections.length === 0 && (
        <Text c="dimmed">
          No components yet. Add the services your users rely on (API, website…) as components; group them in
          sections if there are many. Events then say which components they affect.
        </Text>
      )}
      {groups.map((group) => {
        const sectionIndex = group.section ? sections.indexOf(group.section) : -1;
        const label = group.section?.name ?? 'Not in a section';
        return (
          <Paper key={group.section?.section_id ?? 'loose'} withBorder p="sm">
            <Group justify="space-between" gap="xs" wrap="wrap" mb="xs">
              <Title order={3} size="h5" style={{ overflowWrap: 'anywhere' }}>
                {group.section ? `Section: ${label}` : label}
              </Title>
              {group.section && (
                <Group gap={4} wrap="nowrap">
                  <MoveButtons
                    name={`section ${label}`}
                    index={sectionIndex}
                    count={sections.length}
                    onMove={(delta) => void moveSection(sectionIndex, delta)}
                  />
                  <Button
                    size="compact-sm"
                    variant="subtle"
                    aria-label={`Edit section ${label}`}
                    onClick={() => setEditing({ kind: 'section', section: group.section! })}
                  >
                    Edit
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="subtle"
                    color="red"
                    aria-label={`Remove section ${label}`}
                    onClick={() => setRemoving({ kind: 'section', item: group.section! })}
                  >
                    Remove
                  </Button>
                </Group>
              )}
            </Group>
            {group.components.length === 0 ? (
              <Text size="sm" c="dimmed">
                No components in this section: add one and choose this section.
              </Text>
            ) : (
              <Table aria-label={`Components: ${label}`} verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Component</Table.Th>
                    <Table.Th>Current status</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {group.components.map((component, index) => (
                    <Table.Tr key={component.component_id}>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{component.name}</Table.Td>
                      <Table.Td>
                        <StatusBadge status={component.status} />
                      </Table.Td>
                      <Table.Td>
                        <Group gap={4} justify="flex-end">
                          <MoveButtons
                            name={component.name}
                            index={index}
                            count={group.components.length}
                            onMove={(delta) => void moveComponent(group.components, index, delta)}
                          />
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            aria-label={`Edit ${component.name}`}
                            onClick={() => setEditing({ kind: 'component', component })}
                          >
                            Edit
                          </Button>
                          <Button
                            size="compact-sm"
                            variant="subtle"
                            color="red"
                            aria-label={`Remove ${component.name}`}
                            onClick={() => setRemoving({ kind: 'component', item: component })}
                          >
                            Remove
                          </Button>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Paper>
        );
      })}
      <ItemModal page={page} editing={editing} onClose={() => setEditing(undefined)} onSaved={onChanged} />
      <ConfirmModal
        title={removing ? `Remove ${removing.item.name}?` : undefined}
        body={
          removing?.kind === 'section'
            ? 'Its components stay on the page, outside any section.'
            : 'It leaves the page. Past events that mention it keep their updates.'
        }
        confirmLabel="Remove"
        onClose={() => setRemoving(undefined)}
        onConfirm={() =>
          action.run(async () => {
            if (removing?.kind === 'section') {
              await api.post('/status-page/section/delete', {
                page_id: page.page_id,
                section_ids: [removing.item.section_id],
              });
            } else if (removing?.kind === 'component') {
              await api.post('/status-page/component/delete', {
                page_id: page.page_id,
                component_ids: [removing.item.component_id],
              });
            }
            await onChanged();
          }, 'Removed.')
        }
      />
    </Stack>
  );
}

function MoveButtons(props: { name: string; index: number; count: number; onMove: (delta: -1 | 1) => void }) {
  return (
    <>
      <ActionIcon
        variant="subtle"
        aria-label={`Move ${props.name} up`}
        disabled={props.index <= 0}
        onClick={() => props.onMove(-1)}
      >
        ↑
      </ActionIcon>
      <ActionIcon
        variant="subtle"
        aria-label={`Move ${props.name} down`}
        disabled={props.index >= props.count - 1}
        onClick={() => props.onMove(1)}
      >
        ↓
      </ActionIcon>
    </>
  );
}

/** Adds or edits a section or a component (name, description, and a component's section). */
function ItemModal(props: {
  page: StatusPage;
  editing: Editing;
  onClose: () => void;
  onSaved: () => Promise<void>;
}) {
  const { page, editing } = props;
  const action = useAction();
  const [form, setForm] = useState({ name: '', description: '', sectionId: '' });
  useEffect(() => {
    if (editing?.kind === 'section') {
      setForm({
        name: editing.section?.name ?? '',
        description: editing.section?.description ?? '',
        sectionId: '',
      });
    } else if (editing?.kind === 'component') {
      setForm({
        name: editing.component?.name ?? '',
        description: editing.component?.description ?? '',
        sectionId: editing.component?.section_id ?? '',
      });
    }
  }, [editing]);
  const isNew = editing?.kind === 'section' ? !editing.section : !editing?.component;
  const noun = editing?.kind === 'section' ? 'section' : 'component';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await action.run(async () => {
      const base = { name: form.name.trim(), description: form.description };
      if (editing?.kind === 'section') {
        await api.post('/status-page/section/upsert', {
          page_id: page.page_id,
          sections: [
            editing.section
              ? { ...base, section_id: editing.section.section_id }
              : { ...base, order_id: nextOrder(page.sections) },
          ],
        });
      } else {
        const siblings = page.components.filter((c) => (c.section_id ?? '') === form.sectionId);
        await api.post('/status-page/component/upsert', {
          page_id: page.page_id,
          components: [
            editing?.component
              ? { ...base, section_id: form.sectionId, component_id: editing.component.component_id }
              : { ...base, section_id: form.sectionId, order_id: nextOrder(siblings) },
          ],
        });
      }
      await props.onSaved();
    });
    if (done) props.onClose();
  };

  return (
    <Modal
      opened={editing !== undefined}
      onClose={props.onClose}
      title={isNew ? `Add a ${noun}` : `Edit the ${noun}`}
    >
      <form onSubmit={submit}>
        <Stack gap="sm">
          <ErrorAlert error={action.error} onClose={action.clearError} />
          <TextInput
            label="Name"
            required
            data-autofocus
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
          <Textarea
            label="Description"
            autosize
            minRows={2}
            value={form.description}
            onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
          />
          {editing?.kind === 'component' && (
            <NativeSelect
              label="Section"
              data={[
                { value: '', label: 'No section' },
                ...byOrder(page.sections, (s) => s.section_id).map((s) => ({
                  value: s.section_id,
                  label: s.name,
                })),
              ]}
              value={form.sectionId}
              onChange={(e) => setForm({ ...form, sectionId: e.currentTarget.value })}
            />
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={action.busy}>
              {isNew ? 'Add' : 'Save'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function SettingsPanel({ page, onChanged }: { page: StatusPage; onChanged: () => Promise<void> }) {
  const [, navigate] = useLocation();
  const action = useAction();
  const [deleting, setDeleting] = useState(false);
  const initial = () => ({
    name: page.name,
    url_name: page.url_name,
    date_view: page.date_view,
    display_uptime_mode: page.display_uptime_mode,
    page_title: page.page_title,
    contact_info: page.contact_info,
    logo: page.logo,
    logo_url: page.logo_url,
    favicon: page.favicon,
    time_zone: page.time_zone,
    brand_color: page.brand_color,
    header_color: page.header_color,
    page_header: page.page_header,
    page_footer: page.page_footer,
    template_preference: page.template_preference,
    subscription: { email: false, im: false, webhook: false, ...page.subscription },
  });
  const [form, setForm] = useState(initial);
  const set = (patch: Partial<ReturnType<typeof initial>>) => setForm({ ...form, ...patch });
  const checks = useChecks('/status-page/update', {
    logo: 'logo',
    logo_url: 'logo_url',
    favicon: 'favicon',
    brand_color: 'brand_color',
    header_color: 'header_color',
  });
  const methods = page.type === 'public' ? (['email', 'webhook'] as const) : (['im', 'webhook'] as const);
  const methodLabel = { email: 'E-mail', im: 'IM (members)', webhook: 'Webhook' } as const;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(async () => {
      await api.post('/status-page/update', { page_id: page.page_id, ...form, name: form.name.trim() });
      await onChanged();
    }, 'Settings saved.');
  };

  return (
    <Stack gap="md">
      <form onSubmit={submit} aria-label="Page settings">
        <Stack gap="sm" maw={640}>
          <ErrorAlert error={action.error} onClose={action.clearError} />
          <TextInput
            label="Name"
            required
            value={form.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
          />
          <TextInput
            label="Address"
            description="The page is served at /status/ followed by this"
            required
            value={form.url_name}
            onChange={(e) => set({ url_name: e.currentTarget.value })}
          />
          <TextInput
            label="Browser title"
            value={form.page_title}
            onChange={(e) => set({ page_title: e.currentTarget.value })}
          />
          <Group gap="sm" grow wrap="wrap">
            <NativeSelect
              label="History view"
              data={[
                { value: 'list', label: 'List' },
                { value: 'calendar', label: 'Calendar' },
              ]}
              value={form.date_view}
              onChange={(e) => set({ date_view: e.currentTarget.value as StatusPage['date_view'] })}
              miw={160}
            />
            <NativeSelect
              label="Uptime"
              data={[
                { value: 'chart_and_percentage', label: 'Bars and percentage' },
                { value: 'chart', label: 'Bars only' },
                { value: 'none', label: 'Hidden' },
              ]}
              value={form.display_uptime_mode}
              onChange={(e) =>
                set({ display_uptime_mode: e.currentTarget.value as StatusPage['display_uptime_mode'] })
              }
              miw={160}
            />
            <NativeSelect
              label="Templates offered when composing"
              data={[
                { value: '', label: 'Both kinds' },
                { value: 'pre_defined', label: 'New-event templates' },
                { value: 'message', label: 'Update templates' },
              ]}
              value={form.template_preference}
              onChange={(e) => set({ template_preference: e.currentTarget.value })}
              miw={160}
            />
          </Group>
          <Textarea
            label="Header"
            autosize
            minRows={2}
            value={form.page_header}
            onChange={(e) => set({ page_header: e.currentTarget.value })}
          />
          <Textarea
            label="Footer"
            autosize
            minRows={2}
            value={form.page_footer}
            onChange={(e) => set({ page_footer: e.currentTarget.value })}
          />
          <TextInput
            label="Contact"
            description="Where visitors can reach you (an address or a link)"
            value={form.contact_info}
            onChange={(e) => set({ contact_info: e.currentTarget.value })}
          />
          <BrandingFields form={form} set={set} error={checks.error} />
          <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
            <Text component="legend" size="sm" fw={500} mb={4}>
              Subscriptions offered
            </Text>
            <Group gap="md">
              {methods.map((method) => (
                <Switch
                  key={method}
                  label={methodLabel[method]}
                  checked={Boolean(form.subscription[method])}
                  onChange={(e) =>
                    set({ subscription: { ...form.subscription, [method]: e.currentTarget.checked } })
                  }
                />
              ))}
            </Group>
          </fieldset>
          <Group justify="space-between">
            <Button type="submit" loading={action.busy}>
              Save settings
            </Button>
            <Button color="red" variant="outline" onClick={() => setDeleting(true)}>
              Delete this page
            </Button>
          </Group>
          <Notice text={action.notice} />
        </Stack>
      </form>
      <EmbedSnippets page={page} />
      <ConfirmModal
        title={deleting ? `Delete ${page.name}?` : undefined}
        body="The page, its components, events, templates and subscribers are deleted, and its address stops working. This cannot be undone."
        confirmLabel="Delete the page"
        onClose={() => setDeleting(false)}
        onConfirm={() =>
          action.run(async () => {
            await api.post('/status-page/delete', { page_id: page.page_id });
            navigate('/status-pages');
          })
        }
      />
    </Stack>
  );
}

type BrandingForm = {
  logo: string;
  logo_url: string;
  favicon: string;
  time_zone: string;
  brand_color: string;
  header_color: string;
};
type BrandingKey = Exclude<keyof BrandingForm, 'time_zone'>;

/** The page's look and clock: logo, favicon, colours (text colours are chosen for contrast), time zone. */
function BrandingFields({
  form,
  set,
  error,
}: {
  form: BrandingForm;
  set: (patch: Partial<BrandingForm>) => void;
  error: (key: BrandingKey, value: unknown) => string | undefined;
}) {
  const url = (key: 'logo' | 'logo_url' | 'favicon', label: string, description: string) => (
    <TextInput
      label={label}
      description={description}
      placeholder="https://"
      type="url"
      value={form[key]}
      error={error(key, form[key])}
      onChange={(e) => set({ [key]: e.currentTarget.value })}
    />
  );
  const color = (key: 'brand_color' | 'header_color', label: string, description: string) => (
    <ColorInput
      label={label}
      description={description}
      format="hex"
      placeholder="Default"
      value={form[key]}
      error={error(key, form[key])}
      onChange={(value) => set({ [key]: value })}
      miw={200}
    />
  );
  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
      <Text component="legend" size="sm" fw={500} mb={4}>
        Look and time zone
      </Text>
      <Stack gap="sm">
        {url('logo', 'Logo image', 'An http(s) URL of the image shown at the top of the page')}
        {url('logo_url', 'Logo links to', 'Where a click on the logo goes (http or https)')}
        {url('favicon', 'Favicon', 'An http(s) URL of the icon browsers show in the tab')}
        <Group gap="sm" grow wrap="wrap">
          {color('brand_color', 'Brand colour', 'Links and buttons, as #rrggbb')}
          {color('header_color', 'Header colour', 'Behind the page header, as #rrggbb')}
        </Group>
        <Select
          label="Time zone"
          description="Times on the public page are shown in this zone"
          searchable
          allowDeselect={false}
          limit={60}
          data={timeZones(form.time_zone)}
          value={form.time_zone}
          onChange={(value) => value && set({ time_zone: value })}
        />
      </Stack>
    </fieldset>
  );
}

/** What to paste on another site: the SVG badge, and the widget as an iframe or a script. */
function EmbedSnippets({ page }: { page: StatusPage }) {
  const base = page.public_url;
  return (
    <Paper withBorder p="md" maw={640} component="section" aria-label="Embed">
      <Stack gap="sm">
        <Title order={3} size="h5">
          Embed the status elsewhere
        </Title>
        <CopyField label="Badge (Markdown)" value={`[![${page.name} status](${base}/badge.svg)](${base})`} />
        <CopyField
          label="Widget (iframe)"
          value={`<iframe src="${base}/widget" title="${page.name.replace(/[&"<>]/g, '')} status" width="100%" height="120" style="border:0"></iframe>`}
        />
        <CopyField label="Widget (script)" value={`<script src="${base}/widget.js" async></script>`} />
      </Stack>
    </Paper>
  );
}
