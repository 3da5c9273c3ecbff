import { Anchor, Badge, Button, Card, Group, List, Loader, Select, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'wouter';
import { api, describeError } from '../api.ts';
import { ErrorAlert, Notice, useAction } from '../components/feedback.tsx';
import { type DeliveryItem, DeliveryLog, WhyNotNotified } from '../components/Notifications.tsx';
import { formatTime } from '../format.ts';
import {
  type Facts,
  isHidden,
  loadFacts,
  markTested,
  setHidden,
  stepsOf,
  testAlertBody,
} from '../onboarding.ts';
import { useSession } from '../session.tsx';
import type { FeedItem, Person } from '../types.ts';

/*
 * The first hour of a new account: what is left to set up before Vigil can page someone, and a test
 * alert that travels the whole way (push → alert → incident → escalation → a notification to you),
 * shown as it happens.
 */

export function GetStartedPage() {
  const { member } = useSession();
  const [facts, setFacts] = useState<Facts>();
  const [hidden, setHiddenState] = useState(() => isHidden(member));
  const refresh = useCallback(async () => setFacts(await loadFacts(member)), [member]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const steps = facts ? stepsOf(facts) : [];
  const done = steps.filter((s) => s.done).length;
  return (
    <Stack maw={760}>
      <Group justify="space-between">
        <Title order={2}>Get started</Title>
        {facts && (
          <Text size="sm" c="dimmed" data-testid="get-started-progress">
            {done} of {steps.length} done
          </Text>
        )}
      </Group>
      {!facts ? (
        <Loader aria-label="Loading" />
      ) : (
        <List spacing="sm" listStyleType="none" aria-label="Set-up steps">
          {steps.map((step) => (
            <List.Item key={step.id} data-step={step.id} data-done={step.done}>
              <Group gap="xs" wrap="nowrap" align="flex-start">
                <Badge color={step.done ? 'green' : 'gray'} variant={step.done ? 'filled' : 'outline'} w={64}>
                  {step.done ? 'Done' : 'To do'}
                </Badge>
                <div>
                  <Text fw={600}>{step.title}</Text>
                  <Text size="sm" c="dimmed">
                    {step.why}{' '}
                    {!step.done && step.id !== 'test' && (
                      <Anchor component={Link} href={step.href} underline="always">
                        {step.action}
                      </Anchor>
                    )}
                  </Text>
                </div>
              </Group>
            </List.Item>
          ))}
        </List>
      )}
      <TestAlert onDelivered={refresh} />
      <Group>
        <Button
          variant="default"
          size="xs"
          onClick={() => {
            setHidden(member, !hidden);
            setHiddenState(!hidden);
          }}
        >
          {hidden
            ? 'Show the set-up reminder on the incident list'
            : 'Hide the set-up reminder on the incident list'}
        </Button>
      </Group>
    </Stack>
  );
}

type Integration = { integration_id: number; name: string; push_url: string };
type Progress =
  | { kind: 'idle' }
  | { kind: 'waiting'; alertKey: string; since: number }
  | { kind: 'no-incident'; alertKey: string }
  | { kind: 'incident'; incidentId: string; since: number };

const POLL_MS = 1_000;
/** How long an alert may take to open an incident before the page says why it did not. */
const INCIDENT_WAIT_MS = 20_000;
/** How long the page keeps watching the delivery log. */
const WATCH_MS = 180_000;

/** Sends a standard test event through one of the account's integrations and follows it. */
function TestAlert({ onDelivered }: { onDelivered: () => void }) {
  const { member, timeZone } = useSession();
  const [integrations, setIntegrations] = useState<Integration[]>();
  const [chosen, setChosen] = useState<string | null>(null);
  const [progress, setProgress] = useState<Progress>({ kind: 'idle' });
  const [deliveries, setDeliveries] = useState<DeliveryItem[]>([]);
  const [feed, setFeed] = useState<FeedItem[]>([]);
  const [people, setPeople] = useState<Map<number, string>>(new Map());
  const [loadError, setLoadError] = useState<string>();
  const [tested, setTested] = useState(false);
  const action = useAction();
  const time = (ms: number) => formatTime(ms, timeZone, member.locale || 'en-US');
  const name = (id: number) => (id === member.member_id ? 'You' : (people.get(id) ?? `#${id}`));

  useEffect(() => {
    api
      .post<{ items: Integration[] }>('/datasource/list', {
        limit: 100,
        plugin_type: 'alert.standard',
        status: 'enabled',
      })
      .then((page) => {
        setIntegrations(page.items);
        setChosen(page.items[0] ? String(page.items[0].integration_id) : null);
      })
      .catch((caught) => setLoadError(describeError(caught)));
  }, []);

  // Follows the test: the alert's incident, then the incident's delivery log and heads-up entries.
  useEffect(() => {
    if (progress.kind !== 'waiting' && progress.kind !== 'incident') return;
    const timer = setInterval(async () => {
      try {
        if (progress.kind === 'waiting') {
          const now = Math.floor(Date.now() / 1000);
          const page = await api.post<{ items: { incident?: { incident_id: string } }[] }>('/alert/list', {
            start_time: now - 3_600,
            end_time: now + 600,
            alert_keys: [progress.alertKey],
            limit: 1,
          });
          const incidentId = page.items[0]?.incident?.incident_id;
          if (incidentId) setProgress({ kind: 'incident', incidentId, since: Date.now() });
          else if (Date.now() - progress.since > INCIDENT_WAIT_MS) {
            setProgress({ kind: 'no-incident', alertKey: progress.alertKey });
          }
          return;
        }
        if (Date.now() - progress.since > WATCH_MS) return;
        const [log, entries] = await Promise.all([
          api.post<{ items: DeliveryItem[] }>('/incident/notification/list', {
            incident_id: progress.incidentId,
          }),
          api.post<{ items: FeedItem[] }>('/incident/feed', { incident_id: progress.incidentId, limit: 100 }),
        ]);
        setDeliveries(log.items);
        setFeed(entries.items);
        const ids = [...new Set(log.items.map((d) => d.person_id).filter((id) => id > 0))];
        if (ids.some((id) => !people.has(id))) {
          const found = await api.post<{ items: Person[] }>('/person/infos', { person_ids: ids });
          setPeople(new Map(found.items.map((p) => [p.person_id, p.person_name])));
        }
        if (!tested && log.items.some((d) => d.person_id === member.member_id && d.status === 'success')) {
          markTested(member);
          setTested(true);
          onDelivered();
        }
      } catch (caught) {
        setLoadError(describeError(caught));
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [progress, member, people, onDelivered, tested]);

  const send = () =>
    action.run(async () => {
      const integration = integrations?.find((i) => String(i.integration_id) === chosen);
      if (!integration) throw new Error('Choose an integration to send the test alert through.');
      const url = new URL(integration.push_url);
      const sent = await api.post<{ alert_key: string }>(
        `${url.pathname}${url.search}`,
        testAlertBody(member.member_name),
      );
      setDeliveries([]);
      setFeed([]);
      setProgress({ kind: 'waiting', alertKey: sent.alert_key, since: Date.now() });
    }, 'Sent. Following it below.');

  const incidentId = progress.kind === 'incident' ? progress.incidentId : undefined;
  const reachedMe = deliveries.some((d) => d.person_id === member.member_id && d.status === 'success');
  return (
    <Card withBorder component="section" id="test" aria-labelledby="test-title">
      <Title order={3} size="h4" id="test-title" mb="xs">
        Page yourself with a test alert
      </Title>
      <ErrorAlert
        error={loadError ?? action.error}
        onClose={() => {
          setLoadError(undefined);
          action.clearError();
        }}
      />
      {integrations === undefined ? (
        !loadError && <Loader size="sm" aria-label="Loading integrations" />
      ) : integrations.length === 0 ? (
        <Text size="sm">
          A test alert is pushed through a Standard alert integration.{' '}
          <Anchor component={Link} href="/integrations" underline="always">
            Add one
          </Anchor>{' '}
          bound to a channel whose escalation rule notifies you, then come back.
        </Text>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            Pushes one Warning event through the integration, as a monitoring system would. Its channel's
            escalation rule decides whom it notifies: make sure that includes you.
          </Text>
          <Group align="flex-end">
            <Select
              label="Integration"
              data={integrations.map((i) => ({ value: String(i.integration_id), label: i.name }))}
              value={chosen}
              onChange={setChosen}
              allowDeselect={false}
            />
            <Button onClick={() => void send()} loading={action.busy}>
              Send a test alert
            </Button>
          </Group>
          <Notice text={action.notice} />
        </Stack>
      )}
      {progress.kind === 'waiting' && (
        <Group gap="xs" mt="sm">
          <Loader size="xs" />
          <Text size="sm">Waiting for the alert to open an incident…</Text>
        </Group>
      )}
      {progress.kind === 'no-incident' && (
        <Text size="sm" mt="sm" c="orange.9" role="status">
          The alert arrived but opened no incident: the integration is not bound to a channel and no route
          sends its alerts to one, or a channel rule dropped or silenced it. Check the integration's channel
          or its{' '}
          <Anchor component={Link} href="/routes" underline="always">
            routes
          </Anchor>
          .
        </Text>
      )}
      {incidentId && (
        <Stack gap="xs" mt="sm">
          <Text size="sm" role="status">
            {reachedMe ? 'It reached you: Vigil pages you end to end. ' : 'An incident is open. '}
            <Anchor component={Link} href={`/incident/detail/${incidentId}`}>
              Open the test incident
            </Anchor>
          </Text>
          <WhyNotNotified feed={feed} nobody={deliveries.length === 0} name={name} me={member.member_id} />
          {deliveries.length > 0 ? (
            <DeliveryLog deliveries={deliveries} name={name} time={time} />
          ) : (
            <Text size="sm" c="dimmed">
              No notification yet.
            </Text>
          )}
          <Group>
            <Button
              variant="default"
              size="xs"
              onClick={() =>
                void action.run(
                  () => api.post('/incident/resolve', { incident_ids: [incidentId] }),
                  'The test incident is resolved.',
                )
              }
            >
              Resolve the test incident
            </Button>
          </Group>
        </Stack>
      )}
    </Card>
  );
}
