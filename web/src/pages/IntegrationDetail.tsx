import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { ConfirmModal, ErrorAlert } from '../components/feedback.tsx';
import { WebhookMappingForm } from '../components/WebhookMapping.tsx';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import {
  alertmanagerSnippet,
  curlCommand,
  curlTestable,
  emailAddress,
  heartbeatCron,
  sourceSnippet,
} from '../integrations.ts';
import { useSession } from '../session.tsx';
import { CopyCode, CopyField } from '../setup-ui.tsx';
import type { Channel } from '../types.ts';
import { SeverityBadge } from '../ui.tsx';
import { type Integration, loadChannels } from './Integrations.tsx';

/** One event received by the integration: an alert event or a change. */
type Received = { id: string; title: string; status: string; time: number };

const REFRESH_MS = 5_000;

/** The last 30 days, by this browser's clock (a few minutes ahead, for clocks that disagree). */
function lastMonth(): { start_time: number; end_time: number } {
  const end = Math.floor(Date.now() / 1000) + 300;
  return { start_time: end - 30 * 86_400, end_time: end };
}

async function recentEvents(integration: Integration): Promise<Received[]> {
  const span = lastMonth();
  if (integration.plugin_type.startsWith('change.')) {
    const page = await api.post<{
      items: { change_id: string; title: string; change_status: string; last_time: number }[];
    }>('/change/list', { ...span, integration_ids: [integration.integration_id], limit: 20 });
    return page.items.map((c) => ({
      id: c.change_id,
      title: c.title,
      status: c.change_status,
      time: c.last_time,
    }));
  }
  const page = await api.post<{
    items: { event_id: string; title: string; event_status: string; event_time: number }[];
  }>('/alert-event/list', { ...span, integration_ids: [integration.integration_id], limit: 20 });
  return page.items.map((e) => ({
    id: e.event_id,
    title: e.title,
    status: e.event_status,
    time: e.event_time,
  }));
}

/**
 * One integration: where to push (URL with its key), a curl command that sends a test event, for
 * Prometheus the Alertmanager receiver to paste, the events it received lately (refreshed every
 * 5 s), and rename, enable/disable, delete.
 */
export function IntegrationDetailPage({ integrationId }: { integrationId: string }) {
  const checks = useChecks('/datasource/upsert', { name: 'name' });
  const { member, timeZone } = useSession();
  const [, navigate] = useLocation();
  const [integration, setIntegration] = useState<Integration>();
  const [channels, setChannels] = useState<Channel[]>([]);
  const [events, setEvents] = useState<Received[]>();
  const [error, setError] = useState<string>();
  const [loadError, setLoadError] = useState<string>();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const id = Number(integrationId);

  const load = useCallback(async () => {
    try {
      const [item, channelList] = await Promise.all([
        api.post<Integration>('/datasource/desc', { integration_id: id }),
        loadChannels(),
      ]);
      setIntegration(item);
      setName(item.name);
      setChannels(channelList);
    } catch (caught) {
      setLoadError(describeError(caught));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    if (!integration) return;
    let stopped = false;
    const refresh = async () => {
      if (document.visibilityState !== 'visible') return;
      try {
        const received = await recentEvents(integration);
        if (!stopped) setEvents(received);
      } catch (caught) {
        if (!stopped) setError(describeError(caught));
      }
    };
    void refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [integration]);

  const curl = useMemo(
    () => (integration ? curlCommand(integration.push_url, integration.plugin_type) : ''),
    [integration],
  );

  if (loadError) {
    return (
      <Alert color="red" title="This integration could not be loaded" role="alert">
        {loadError}{' '}
        <Anchor component={Link} href="/integrations">
          Back to the integrations.
        </Anchor>
      </Alert>
    );
  }
  if (!integration) return <Loader aria-label="Loading the integration" />;

  const act = async (label: string, run: () => Promise<unknown>) => {
    setBusy(label);
    setError(undefined);
    try {
      await run();
      await load();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(undefined);
    }
  };

  const rename = (event: FormEvent) => {
    event.preventDefault();
    void act('rename', () =>
      api.post('/datasource/upsert', {
        integration_id: id,
        name: name.trim(),
        plugin_type: integration.plugin_type,
      }),
    );
  };

  const remove = async () => {
    setBusy('delete');
    try {
      await api.post('/datasource/delete', { integration_id: id });
      navigate('/integrations');
    } catch (caught) {
      setError(describeError(caught));
      setConfirmDelete(false);
      setBusy(undefined);
    }
  };

  const enabled = integration.status === 'enabled';
  const isAlert = !integration.plugin_type.startsWith('change.');
  const channel =
    integration.channel_id === 0
      ? undefined
      : (channels.find((c) => c.channel_id === integration.channel_id)?.channel_name ??
        `#${integration.channel_id}`);
  const locale = member.locale || 'en-US';

  return (
    <Stack gap="md">
      <Anchor component={Link} href="/integrations" size="sm">
        ← Integrations
      </Anchor>
      <Group gap="sm" wrap="wrap">
        <Title order={2} style={{ overflowWrap: 'anywhere' }}>
          {integration.name}
        </Title>
        <Badge variant="light">{integration.plugin_type_name}</Badge>
        <Badge color={enabled ? 'green' : 'gray'} variant="light">
          {enabled ? 'Enabled' : 'Disabled'}
        </Badge>
      </Group>
      <Text size="sm">
        {isAlert
          ? channel
            ? `Alerts open incidents in the channel ${channel}.`
            : 'Shared integration: its routes decide the channel of each alert. Alerts no route accepts are dropped, and are not listed below.'
          : 'Changes show next to the incidents they may have caused.'}
      </Text>

      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {!enabled && (
        <Alert color="yellow" title="Disabled">
          Vigil refuses events pushed to this integration until it is enabled again.
        </Alert>
      )}

      <Stack gap="sm">
        <Title order={3} size="h4">
          Connect
        </Title>
        {integration.plugin_type === 'alert.email' ? (
          <CopyField
            label="E-mail address"
            value={emailAddress(integration.integration_key, window.location.hostname)}
          />
        ) : (
          <CopyField
            label={integration.plugin_type === 'alert.heartbeat' ? 'Ping URL (GET or POST)' : 'Push URL'}
            value={integration.push_url}
          />
        )}
        <Text size="sm" c="dimmed">
          The key in the URL is the integration's secret: whoever has it can push events.
        </Text>
        {integration.plugin_type === 'alert.prometheus' && (
          <CopyCode
            label="Alertmanager receiver"
            hint="Add this to alertmanager.yml (merge it with your route and receivers), then reload Alertmanager. send_resolved closes incidents when alerts resolve."
            code={alertmanagerSnippet(integration.push_url)}
          />
        )}
        {integration.plugin_type === 'alert.heartbeat' && (
          <CopyCode
            label="Ping from cron"
            hint={`Ping after each run. A ping later than ${String(integration.settings[0]?.interval_minutes ?? '?')} minutes (plus ${String(integration.settings[0]?.grace_minutes ?? '?')} of grace) after the last one opens an alert; the next ping recovers it.`}
            code={heartbeatCron(integration.push_url)}
          />
        )}
        {(() => {
          const snippet = sourceSnippet(integration.plugin_type, integration.push_url);
          return snippet && <CopyCode label={snippet.label} hint={snippet.hint} code={snippet.code} />;
        })()}
        {integration.plugin_type === 'alert.email' ? (
          <Text size="sm">
            Any domain whose mail reaches this server works. The subject becomes the title, the body the
            description.
          </Text>
        ) : (
          curlTestable(integration.plugin_type) && (
            <CopyCode label="Test with curl" hint="Sends one test event; it appears below." code={curl} />
          )
        )}
      </Stack>

      {integration.plugin_type === 'alert.webhook' && (
        <WebhookMappingForm
          settings={integration.settings[0] ?? {}}
          onSave={async (settings) => {
            await api.post('/datasource/upsert', {
              integration_id: id,
              name: integration.name,
              plugin_type: integration.plugin_type,
              settings,
            });
            await load();
          }}
        />
      )}

      <Stack gap="xs">
        <Title order={3} size="h4">
          Recent events
        </Title>
        {!events && <Loader size="sm" aria-label="Loading events" />}
        {events && events.length === 0 && (
          <Text c="dimmed" size="sm">
            Nothing received in the last 30 days. Run the curl command above
            {integration.plugin_type === 'alert.prometheus' ? ' or connect Alertmanager' : ''}; events show
            here within seconds.
          </Text>
        )}
        {events && events.length > 0 && (
          <Table aria-label="Recent events" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Received</Table.Th>
                <Table.Th>Title</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {events.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Stack gap={4} align="flex-start">
                      <Text size="sm">{formatTime(e.time * 1000, timeZone, locale)}</Text>
                      {isAlert ? (
                        <SeverityBadge severity={e.status} />
                      ) : (
                        <Badge variant="light">{e.status}</Badge>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.title}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>

      <Stack gap="sm">
        <Title order={3} size="h4">
          Settings
        </Title>
        <form onSubmit={rename} aria-label="Rename the integration">
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextInput
              label="Name"
              required
              error={checks.error('name', name)}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              w={{ base: '100%', sm: 260 }}
            />
            <Button
              type="submit"
              variant="default"
              loading={busy === 'rename'}
              disabled={name.trim() === integration.name}
            >
              Rename
            </Button>
          </Group>
        </form>
        <Group gap="sm">
          <Button
            variant="default"
            loading={busy === 'status'}
            onClick={() =>
              void act('status', () =>
                api.post(`/datasource/${enabled ? 'disable' : 'enable'}`, { integration_id: id }),
              )
            }
          >
            {enabled ? 'Disable' : 'Enable'}
          </Button>
          <Button color="red" variant="outline" onClick={() => setConfirmDelete(true)}>
            Delete
          </Button>
        </Group>
      </Stack>

      <ConfirmModal
        title={confirmDelete ? 'Delete the integration?' : undefined}
        body="Events pushed to its URL will be refused. Incidents it opened stay. This cannot be undone."
        confirmLabel={`Delete ${integration.name}`}
        onConfirm={remove}
        onClose={() => setConfirmDelete(false)}
      />
    </Stack>
  );
}
