import { ActionIcon, Button, Card, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { type ConditionForm, emptyCondition, type Hint, hintFor } from '../escalation.ts';

/*
 * The filter of an escalation rule: an OR of AND groups of conditions (`filters` of
 * /channel/escalate/rule/*). No group means every incident of the channel.
 */

const KEYS = [
  'severity',
  'title',
  'description',
  'alert_key',
  'integration_id',
  'check',
  'resource',
  'service',
  'cluster',
];

export function RuleConditions({
  value,
  onChange,
  hints,
}: {
  value: ConditionForm[][];
  onChange: (next: ConditionForm[][]) => void;
  hints: readonly Hint[];
}) {
  const setCondition = (g: number, c: number, patch: Partial<ConditionForm>) =>
    onChange(
      value.map((group, i) =>
        i !== g ? group : group.map((cond, j) => (j === c ? { ...cond, ...patch } : cond)),
      ),
    );
  const removeCondition = (g: number, c: number) =>
    onChange(
      value
        .map((group, i) => (i === g ? group.filter((_, j) => j !== c) : group))
        .filter((group) => group.length > 0),
    );

  return (
    <Stack gap="xs">
      {value.length === 0 && (
        <Text size="sm" c="dimmed">
          No filter: the rule takes every incident of the channel (within its time windows). Add a condition
          to narrow it, e.g. severity Critical.
        </Text>
      )}
      <datalist id="rule-condition-keys">
        {KEYS.map((key) => (
          <option key={key} value={key} />
        ))}
      </datalist>
      {value.map((group, g) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: groups have no identity but their place
        <Card key={g} withBorder padding="xs" component="fieldset" aria-label={`Filter group ${g + 1}`}>
          <Text size="xs" c="dimmed" mb={4}>
            {g === 0 ? 'Incidents where all of these hold' : 'or where all of these hold'}
          </Text>
          <Stack gap="xs">
            {group.map((cond, c) => {
              const at = `filters[${g}][${c}]`;
              const label = `condition ${g + 1}.${c + 1}`;
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no identity but their place
                <Group key={c} gap="xs" align="flex-end" wrap="wrap">
                  <TextInput
                    label={`Field of ${label}`}
                    description="severity, title, labels.host, …"
                    value={cond.key}
                    list="rule-condition-keys"
                    onChange={(e) => setCondition(g, c, { key: e.currentTarget.value })}
                    error={hintFor(hints, `${at}.key`)}
                    w={{ base: '100%', sm: 180 }}
                  />
                  <NativeSelect
                    label={`Match of ${label}`}
                    data={[
                      { value: 'IN', label: 'is one of' },
                      { value: 'NOTIN', label: 'is none of' },
                    ]}
                    value={cond.oper}
                    onChange={(e) => setCondition(g, c, { oper: e.currentTarget.value as 'IN' | 'NOTIN' })}
                    w={{ base: '100%', sm: 130 }}
                  />
                  <TextInput
                    label={`Values of ${label}`}
                    description="comma-separated; /regex/ and * allowed"
                    value={cond.vals}
                    onChange={(e) => setCondition(g, c, { vals: e.currentTarget.value })}
                    error={hintFor(hints, `${at}.vals`)}
                    style={{ flex: 1 }}
                    miw={160}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red"
                    aria-label={`Remove ${label}`}
                    onClick={() => removeCondition(g, c)}
                    mb={4}
                  >
                    ×
                  </ActionIcon>
                </Group>
              );
            })}
            <Button
              variant="subtle"
              size="compact-sm"
              w="fit-content"
              onClick={() =>
                onChange(value.map((group, i) => (i === g ? [...group, emptyCondition()] : group)))
              }
            >
              And…
            </Button>
          </Stack>
        </Card>
      ))}
      <Button
        variant="default"
        size="compact-sm"
        w="fit-content"
        onClick={() => onChange([...value, [emptyCondition()]])}
      >
        {value.length === 0 ? 'Add a condition' : 'Or…'}
      </Button>
    </Stack>
  );
}
