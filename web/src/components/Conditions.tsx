import { Button, Fieldset, Group, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useId } from 'react';
import {
  CONDITION_KEYS,
  type ConditionRow,
  emptyRow,
  type Operator,
  rowValues,
  type ValueForm,
  valueForm,
  valueProblem,
} from '../conditions.ts';

/*
 * The condition editor shared by routes, grouping cases and the noise rules: rows of key, operator
 * and values (one per line). `ConditionList` is one AND list; `FilterEditor` is OR groups of them.
 * Convert with web/src/conditions.ts (rowsToConditions, groupsToFilters, filtersToGroups).
 */

const FORM_WORDS: Record<ValueForm, string> = {
  regex: 'regular expression',
  cidr: 'IPv4 network',
  number: 'number comparison',
  exists: 'any non-empty value',
  wildcard: 'wildcard',
  exact: 'exact text',
};

function valuesHint(row: ConditionRow): string {
  const vals = rowValues(row);
  if (vals.length === 0) return 'One value per line: text, /regex/, wild*card, cidr:10.0.0.0/8, num:gt:90.';
  const problem = vals.map((v) => [v, valueProblem(v)] as const).find(([, p]) => p);
  if (problem) return `"${problem[0]}" ${problem[1]}.`;
  return `Read as: ${[...new Set(vals.map((v) => FORM_WORDS[valueForm(v)]))].join(', ')}.`;
}

type ListProps = {
  rows: ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
  /** Names the list for screen readers and in messages, e.g. "Case 1 conditions". */
  label: string;
  /** An empty list is allowed (e.g. a route case matching every alert). */
  allowEmpty?: boolean;
};

/** One AND list of conditions. */
export function ConditionList({ rows, onChange, label, allowEmpty = false }: ListProps) {
  const listId = useId();
  const set = (index: number, patch: Partial<ConditionRow>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <Stack gap="xs">
      <datalist id={listId}>
        {CONDITION_KEYS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          {allowEmpty ? 'No conditions: matches every alert.' : 'No conditions yet: add one.'}
        </Text>
      )}
      {rows.map((row, index) => {
        const n = index + 1;
        const problem = rowValues(row).some((v) => valueProblem(v));
        return (
          <Group
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
            key={index}
            align="flex-start"
            gap="xs"
            wrap="wrap"
            role="group"
            aria-label={`${label}: condition ${n}`}
          >
            <TextInput
              label="Key"
              aria-label={`${label}: condition ${n} key`}
              placeholder="labels.host"
              list={listId}
              value={row.key}
              onChange={(e) => set(index, { key: e.currentTarget.value })}
              w={{ base: '100%', xs: 180 }}
            />
            <NativeSelect
              label="Operator"
              aria-label={`${label}: condition ${n} operator`}
              data={[
                { value: 'IN', label: 'is one of' },
                { value: 'NOTIN', label: 'is none of' },
              ]}
              value={row.oper}
              onChange={(e) => set(index, { oper: e.currentTarget.value as Operator })}
              w={{ base: '100%', xs: 130 }}
            />
            <Textarea
              label="Values"
              aria-label={`${label}: condition ${n} values`}
              rows={2}
              value={row.values}
              onChange={(e) => set(index, { values: e.currentTarget.value })}
              description={valuesHint(row)}
              error={problem || undefined}
              style={{ flex: 1 }}
              miw={{ base: '100%', xs: 200 }}
            />
            <Button
              variant="subtle"
              color="red"
              size="compact-sm"
              mt={{ base: 0, xs: 26 }}
              aria-label={`Remove ${label.toLowerCase()} condition ${n}`}
              onClick={() => onChange(rows.filter((_, i) => i !== index))}
              disabled={!allowEmpty && rows.length === 1}
            >
              Remove
            </Button>
          </Group>
        );
      })}
      <Group>
        <Button
          variant="default"
          size="compact-sm"
          aria-label={`Add a condition to ${label.toLowerCase()}`}
          onClick={() => onChange([...rows, emptyRow()])}
        >
          Add condition
        </Button>
      </Group>
    </Stack>
  );
}

type FilterProps = {
  groups: ConditionRow[][];
  onChange: (groups: ConditionRow[][]) => void;
  /** The filter's name, the legend of its box: "Filter", "Source alerts", ... */
  label: string;
  description?: string;
};

/** A filter: OR groups, each an AND list of conditions. */
export function FilterEditor({ groups, onChange, label, description }: FilterProps) {
  return (
    <Fieldset legend={label} p="sm">
      <Stack gap="sm">
        {description && (
          <Text size="sm" c="dimmed">
            {description}
          </Text>
        )}
        {groups.map((rows, index) => {
          const name = groups.length > 1 ? `${label} group ${index + 1}` : label;
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: groups have no identity of their own
            <Stack key={index} gap={4}>
              {index > 0 && (
                <Text size="sm" fw={700}>
                  or
                </Text>
              )}
              {groups.length > 1 && (
                <Group justify="space-between">
                  <Text size="sm" c="dimmed">
                    Group {index + 1}: all of these
                  </Text>
                  <Button
                    variant="subtle"
                    color="red"
                    size="compact-xs"
                    onClick={() => onChange(groups.filter((_, i) => i !== index))}
                  >
                    Remove group {index + 1}
                  </Button>
                </Group>
              )}
              <ConditionList
                rows={rows}
                label={name}
                onChange={(next) => onChange(groups.map((g, i) => (i === index ? next : g)))}
              />
            </Stack>
          );
        })}
        <Group>
          <Button
            variant="light"
            size="compact-sm"
            aria-label={`Add an OR group to ${label.toLowerCase()}`}
            onClick={() => onChange([...groups, [emptyRow()]])}
          >
            Add “or” group
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}
