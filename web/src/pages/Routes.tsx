import {
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  List,
  Loader,
  MultiSelect,
  NativeSelect,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { Link, useSearch } from 'wouter';
import { api, describeError } from '../api.ts';
import type { Integration, RouteItem } from '../channel-types.ts';
import { ConditionList } from '../components/Conditions.tsx';
import { formatTime } from '../format.ts';
import {
  emptyRouteCase,
  formToRoute,
  moveCase,
  type RouteCaseForm,
  type RouteForm,
  routeToForm,
} from '../route-form.ts';
import { useSession } from '../session.tsx';

type ChannelOption = { value: string; label: string };

/**
 * Routes of shared integrations (`/route/info`, `/route/upsert`): the ordered cases — conditions →
 * channels — and the default channels for alerts no case takes.
 */
export function RoutesPage() {
  const { member, timeZone } = useSession();
  // `/routes?integration_id=<id>` opens that integration's route (e.g. from an integration's page).
  const wanted = new URLSearchParams(useSearch()).get('integration_id');
  const [integrations, setIntegrations] = useState<Integration[]>();
  const [channels, setChannels] = useState<ChannelOption[]>([]);
  const channelsRef = useRef(channels);
  channelsRef.current = channels;
  const [integrationId, setIntegrationId] = useState<string>('');
  const [route, setRoute] = useState<RouteItem>();
  const [form, setForm] = useState<RouteForm>();
  const [error, setError] = useState<string>();
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void (async () => {
      try {
        const [list, channelList] = await Promise.all([
          api.post<{ items: Integration[] }>('/datasource/list', {
            category: 'event.alert',
            limit: 100,
            orderby: 'name',
            asc: true,
          }),
          api.post<{ items: { channel_id: number; channel_name: string }[] }>('/channel/list', {
            is_brief: true,
            limit: 100,
            orderby: 'channel_name',
            asc: true,
          }),
        ]);
        const shared = list.items.filter((i) => i.channel_id === 0);
        setIntegrations(shared);
        setChannels(channelList.items.map((c) => ({ value: String(c.channel_id), label: c.channel_name })));
        const first = shared.find((i) => String(i.integration_id) === wanted) ?? shared[0];
        if (first) setIntegrationId(String(first.integration_id));
      } catch (caught) {
        setError(describeError(caught));
      }
    })();
  }, [wanted]);

  // The picker lists the first 100 channels by name; a route may name others: fetch their names too.
  const nameChannels = useCallback(async (item: RouteItem) => {
    const ids = [...new Set([...item.cases.flatMap((c) => c.channel_ids), ...item.default.channel_ids])];
    const known = new Set(channelsRef.current.map((c) => c.value));
    const missing = ids.filter((id) => !known.has(String(id)));
    if (missing.length === 0) return;
    const infos = await api.post<{ items: { channel_id: number; channel_name: string }[] }>(
      '/channel/infos',
      {
        channel_ids: missing,
      },
    );
    setChannels((current) => [
      ...current,
      ...infos.items.map((c) => ({ value: String(c.channel_id), label: c.channel_name })),
    ]);
  }, []);

  const loadRoute = useCallback(
    async (id: string) => {
      setRoute(undefined);
      setForm(undefined);
      setProblems([]);
      if (!id) return;
      try {
        const item = await api.post<RouteItem>('/route/info', { integration_id: Number(id) });
        await nameChannels(item);
        setRoute(item);
        setForm(routeToForm(item));
      } catch (caught) {
        setError(describeError(caught));
      }
    },
    [nameChannels],
  );
  useEffect(() => {
    void loadRoute(integrationId);
  }, [integrationId, loadRoute]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!form) return;
    setError(undefined);
    setNotice(undefined);
    const { body, errors } = formToRoute(form, Number(integrationId));
    setProblems(errors);
    if (errors.length > 0) return;
    setBusy(true);
    try {
      await api.post('/route/upsert', body);
      const item = await api.post<RouteItem>('/route/info', { integration_id: Number(integrationId) });
      setRoute(item);
      setForm(routeToForm(item));
      setNotice('Route saved.');
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  };

  const setCase = (index: number, patch: Partial<RouteCaseForm>) =>
    form && setForm({ ...form, cases: form.cases.map((c, i) => (i === index ? { ...c, ...patch } : c)) });

  return (
    <Stack gap="md">
      <Title order={2}>Routes</Title>
      <Text size="sm" c="dimmed">
        A shared integration's route sends each alert to channels: cases are tried in order, and the first
        whose conditions all match decides (unless it lets the alert continue to the next). Alerts no case
        takes go to the default channels.
      </Text>
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
      {!integrations && !error && <Loader aria-label="Loading integrations" />}
      {integrations && integrations.length === 0 && (
        <Text c="dimmed">
          No shared alert integrations. Routes belong to shared integrations (those not bound to one channel):
          create one, then come back to route its alerts.
        </Text>
      )}
      {integrations && integrations.length > 0 && (
        <NativeSelect
          label="Integration"
          data={integrations.map((i) => ({
            value: String(i.integration_id),
            label: `${i.name} (${i.plugin_type_name})${i.status === 'disabled' ? ', disabled' : ''}`,
          }))}
          value={integrationId}
          onChange={(e) => setIntegrationId(e.currentTarget.value)}
          w={{ base: '100%', sm: 360 }}
        />
      )}
      {integrationId && !form && !error && <Loader aria-label="Loading the route" />}
      {form && route && (
        <form onSubmit={save} aria-label="Route">
          <Stack gap="md">
            <Text size="xs" c="dimmed">
              {route.version === 0
                ? 'This integration has no route yet: its alerts reach no channel until you save one.'
                : `Version ${route.version}, saved ${formatTime(route.updated_at * 1000, timeZone, member.locale || 'en-US')}.`}
            </Text>
            {channels.length === 0 && (
              <Text size="sm" c="dimmed">
                There are no channels to route to yet. <Link href="/channels">Create a channel</Link> first.
              </Text>
            )}
            {form.cases.length === 0 && (
              <Text size="sm" c="dimmed">
                No cases: every alert goes to the default channels. Add a case to send some alerts elsewhere.
              </Text>
            )}
            {form.cases.map((c, index) => {
              const n = index + 1;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: cases have no identity of their own
                <Fieldset key={index} legend={`Case ${n}`} p="sm">
                  <Stack gap="xs">
                    <ConditionList
                      label={`Case ${n}`}
                      rows={c.conditions}
                      allowEmpty
                      onChange={(rows) => setCase(index, { conditions: rows })}
                    />
                    <NativeSelect
                      label={`Case ${n}: send to`}
                      data={[
                        { value: 'standard', label: 'these channels' },
                        { value: 'name_mapping', label: 'the channel named by a label' },
                      ]}
                      value={c.mode}
                      onChange={(e) =>
                        setCase(index, { mode: e.currentTarget.value as RouteCaseForm['mode'] })
                      }
                      w={{ base: '100%', sm: 300 }}
                    />
                    {c.mode === 'standard' ? (
                      <MultiSelect
                        label={`Case ${n} channels`}
                        data={channels}
                        value={c.channelIds}
                        onChange={(value) => setCase(index, { channelIds: value })}
                        searchable
                        nothingFoundMessage="No channel of that name"
                        maxValues={20}
                      />
                    ) : (
                      <TextInput
                        label={`Case ${n} label`}
                        description="The label whose value is a channel's name, e.g. team"
                        value={c.label}
                        onChange={(e) => setCase(index, { label: e.currentTarget.value })}
                        w={{ base: '100%', sm: 300 }}
                      />
                    )}
                    <Checkbox
                      label="Also try the next cases (fall through)"
                      checked={c.fallthrough}
                      onChange={(e) => setCase(index, { fallthrough: e.currentTarget.checked })}
                    />
                    <Group gap="xs">
                      <Button
                        variant="default"
                        size="compact-sm"
                        disabled={index === 0}
                        onClick={() => setForm({ ...form, cases: moveCase(form.cases, index, -1) })}
                      >
                        Move case {n} up
                      </Button>
                      <Button
                        variant="default"
                        size="compact-sm"
                        disabled={index === form.cases.length - 1}
                        onClick={() => setForm({ ...form, cases: moveCase(form.cases, index, 1) })}
                      >
                        Move case {n} down
                      </Button>
                      <Button
                        variant="subtle"
                        color="red"
                        size="compact-sm"
                        onClick={() => setForm({ ...form, cases: form.cases.filter((_, i) => i !== index) })}
                      >
                        Remove case {n}
                      </Button>
                    </Group>
                  </Stack>
                </Fieldset>
              );
            })}
            <Group>
              <Button
                variant="default"
                onClick={() => setForm({ ...form, cases: [...form.cases, emptyRouteCase()] })}
              >
                Add case
              </Button>
            </Group>
            <MultiSelect
              label="Default channels"
              description="For alerts no case takes (none: such alerts are dropped)"
              data={channels}
              value={form.defaultChannelIds}
              onChange={(value) => setForm({ ...form, defaultChannelIds: value })}
              searchable
              nothingFoundMessage="No channel of that name"
              maxValues={20}
            />
            {problems.length > 0 && (
              <Alert color="red" title="Fix these before saving" role="alert">
                <List size="sm">
                  {problems.map((p) => (
                    <List.Item key={p}>{p}</List.Item>
                  ))}
                </List>
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={busy}>
                Save route
              </Button>
              {notice && (
                <Text size="sm" c="green.8" role="status">
                  {notice}
                </Text>
              )}
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
