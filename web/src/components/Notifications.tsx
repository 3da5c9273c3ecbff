import { Alert, Anchor, List, Table, Text } from '@mantine/core';
import { Link } from 'wouter';
import { describeWarning } from '../escalation.ts';
import { type Delivery, describeDelivery, fixOf, warningsOf } from '../format.ts';
import type { FeedItem } from '../types.ts';

/*
 * Who an incident's notifications reached and why others were not reached: the incident page's
 * Notifications panel and the Get started page's test alert show the same words.
 */

export type DeliveryItem = Delivery & { notification_id: number; created_at: number };

/** The delivery log (/incident/notification/list) as a table: to whom, how, why, and how it went. */
export function DeliveryLog({
  deliveries,
  name,
  time,
}: {
  deliveries: DeliveryItem[];
  name: (personId: number) => string;
  time: (ms: number) => string;
}) {
  return (
    <Table.ScrollContainer minWidth={320}>
      <Table verticalSpacing={4} aria-label="Delivery log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>To</Table.Th>
            <Table.Th>Channel</Table.Th>
            <Table.Th visibleFrom="sm">Why</Table.Th>
            <Table.Th>Outcome</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.map((d) => {
            const words = describeDelivery(d, name, time);
            return (
              <Table.Tr key={d.notification_id} data-status={d.status}>
                <Table.Td>{words.to}</Table.Td>
                <Table.Td>{words.channel}</Table.Td>
                <Table.Td visibleFrom="sm">
                  {words.step}
                  <Text size="xs" c="dimmed">
                    {time(d.created_at)}
                  </Text>
                </Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>
                  <Text size="sm" c={d.status === 'failed' ? 'red.8' : undefined}>
                    {words.outcome}
                  </Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/**
 * Why people the escalation meant to page were not notified, from the incident's heads-up entries
 * (`i_warn`), each with where to fix it.
 */
export function WhyNotNotified({
  feed,
  nobody,
  name,
  me,
}: {
  feed: FeedItem[];
  nobody: boolean;
  name: (id: number) => string;
  me: number;
}) {
  const items = feed
    .filter((entry) => entry.type === 'i_warn')
    .flatMap((entry) => warningsOf(entry.detail).map((w) => ({ entry, w })));
  if (items.length === 0) return null;
  const names = {
    person: name,
    team: (id: number) => `#${id}`,
    schedule: (id: number) => `#${id}`,
    time: (seconds: number) => new Date(seconds * 1000).toISOString(),
  };
  const sentences = items.map(({ w }) => describeWarning(w, names));
  const seen = new Set<string>();
  return (
    <Alert
      color="orange"
      mb="sm"
      title={nobody ? 'Why nobody was notified' : 'Why some were not notified'}
      data-testid="why-not-notified"
    >
      <List size="sm" spacing={4}>
        {items.map(({ entry, w }, i) => {
          const sentence = sentences[i]!;
          if (seen.has(sentence)) return null;
          seen.add(sentence);
          const fix = fixOf(w, entry, me);
          return (
            <List.Item key={sentence}>
              {sentence}{' '}
              {fix && (
                <Anchor component={Link} href={fix.href}>
                  {fix.label}
                </Anchor>
              )}
            </List.Item>
          );
        })}
      </List>
      {sentences.some((text) => /SMTP_URL|PHONE_PROVIDER_URL|not set up on this server/.test(text)) && (
        <Text size="sm" mt="xs">
          E-mail, SMS and voice need the server's SMTP_URL and PHONE_PROVIDER_URL settings: an administrator
          sets them where Vigil runs (docs/notifications.md).
        </Text>
      )}
    </Alert>
  );
}
