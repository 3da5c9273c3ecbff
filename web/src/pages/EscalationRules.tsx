import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Group,
  Loader,
  NativeSelect,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { api, describeError } from '../api.ts';
import {
  type ApiRule,
  describeWindow,
  formToBody,
  type HeadsUpItem,
  reorderPriorities,
  ruleToForm,
} from '../escalation.ts';
import type { Channel } from '../types.ts';

/*
 * A channel's escalation rules in evaluation order (priority, then age): the first enabled rule
 * whose time windows and filters match takes an incident. Rules are reordered by rewriting their
 * priorities (/channel/escalate/rule/update); new and existing rules open in the editor.
 */

export function EscalationRulesPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const channelId = Number(new URLSearchParams(search).get('channel_id')) || undefined;
  const [channels, setChannels] = useState<Channel[]>();
  const [rules, setRules] = useState<ApiRule[]>();
  const [warnings, setWarnings] = useState<Map<string, number>>(new Map());
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .post<{ items: Channel[] }>('/channel/list', { limit: 100, orderby: 'channel_name', asc: true })
      .then((list) => setChannels(list.items))
      .catch((caught) => setError(describeError(caught)));
  }, []);

  // Without a channel in the address, the first one is shown.
  useEffect(() => {
    if (!channelId && channels && channels.length > 0)
      navigate(`/escalation-rules?channel_id=${channels[0]!.channel_id}`, { replace: true });
  }, [channelId, channels, navigate]);

  const load = useCallback(async () => {
    if (!channelId) return;
    setRules(undefined);
    try {
      const [list, heads] = await Promise.all([
        api.post<{ items: ApiRule[] }>('/channel/escalate/rule/list', { channel_id: channelId }),
        api.post<{ items: HeadsUpItem[] }>('/channel/escalate/rule/heads-up', { channel_id: channelId }),
      ]);
      setRules(list.items);
      const counts = new Map<string, number>();
      for (const item of heads.items)
        counts.set(item.rule_id, (counts.get(item.rule_id) ?? 0) + item.warnings.length);
      setWarnings(counts);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [channelId]);
  useEffect(() => {
    void load();
  }, [load]);

  const move = async (from: number, to: number) => {
    if (!rules || !channelId) return;
    setBusy(true);
    setError(undefined);
    try {
      for (const change of reorderPriorities(rules, from, to)) {
        const rule = rules.find((r) => r.rule_id === change.rule_id)!;
        await api.post('/channel/escalate/rule/update', {
          channel_id: channelId,
          rule_id: rule.rule_id,
          ...formToBody(ruleToForm(rule)),
          priority: change.priority,
        });
      }
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
      await load();
    }
  };

  const channelName = channels?.find((c) => c.channel_id === channelId)?.channel_name;

  return (
    <Stack gap="md">
      <Group justify="space-between" wrap="wrap">
        <Title order={2}>Escalation rules</Title>
        {channelId && (
          <Button component={Link} href={`/escalation-rules/new?channel_id=${channelId}`}>
            New rule
          </Button>
        )}
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
      {!channels && !error && <Loader aria-label="Loading channels" />}
      {channels && channels.length === 0 && (
        <Alert color="blue" title="No channels yet">
          Escalation rules belong to a channel. Create a channel first, then come back to say who is told
          about its incidents.
        </Alert>
      )}
      {channels && channels.length > 0 && (
        <NativeSelect
          label="Channel"
          value={channelId ? String(channelId) : ''}
          data={channels.map((c) => ({ value: String(c.channel_id), label: c.channel_name }))}
          onChange={(e) => navigate(`/escalation-rules?channel_id=${e.currentTarget.value}`)}
          w={{ base: '100%', sm: 320 }}
        />
      )}
      {channelId && !rules && !error && <Loader aria-label="Loading rules" />}
      {rules && rules.length === 0 && (
        <Alert color="blue" title="No escalation rules">
          Incidents of {channelName ?? 'this channel'} notify nobody yet. Use “New rule” to say who is told,
          how, and when to escalate.
        </Alert>
      )}
      {rules && rules.length > 0 && (
        <>
          <Text size="sm" c="dimmed">
            The first enabled rule whose time windows and filter match takes an incident; move a rule up to
            let it match first.
          </Text>
          <Table.ScrollContainer minWidth={340}>
            <Table aria-label="Escalation rules" verticalSpacing="xs">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Rule</Table.Th>
                  <Table.Th visibleFrom="sm">When</Table.Th>
                  <Table.Th>Layers</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Order</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rules.map((rule, i) => (
                  <Table.Tr key={rule.rule_id}>
                    <Table.Td>
                      <Group gap={6} wrap="wrap">
                        <Link href={`/escalation-rules/${rule.rule_id}?channel_id=${channelId}`}>
                          {rule.rule_name}
                        </Link>
                        {rule.status === 'disabled' && (
                          <Badge color="gray" variant="filled">
                            Disabled
                          </Badge>
                        )}
                        {(warnings.get(rule.rule_id) ?? 0) > 0 && (
                          <Badge color="orange" variant="filled">
                            {warnings.get(rule.rule_id)} warning{warnings.get(rule.rule_id) === 1 ? '' : 's'}
                          </Badge>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td visibleFrom="sm">
                      <Text size="sm">
                        {rule.time_filters.length === 0
                          ? 'Always'
                          : rule.time_filters.map((w) => describeWindow(w)).join('; ')}
                        {rule.filters.length > 0 ? ', when the filter matches' : ''}
                      </Text>
                    </Table.Td>
                    <Table.Td>{rule.layers.length}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move ${rule.rule_name} up`}
                          disabled={busy || i === 0}
                          onClick={() => void move(i, i - 1)}
                        >
                          ↑
                        </ActionIcon>
                        <ActionIcon
                          variant="subtle"
                          aria-label={`Move ${rule.rule_name} down`}
                          disabled={busy || i === rules.length - 1}
                          onClick={() => void move(i, i + 1)}
                        >
                          ↓
                        </ActionIcon>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </>
      )}
    </Stack>
  );
}
