import { Alert, Button, Group, Loader, Modal, MultiSelect, Paper, Select, Stack, Text } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { api, describeError } from '../api.ts';
import { memberOptions } from '../memberOptions.ts';
import type { Incident } from '../types.ts';

/*
 * The incident list's selection bar: acknowledge, resolve, merge or reassign the selected
 * incidents in one call each (/incident/ack, /incident/resolve, /incident/merge, /incident/assign
 * all take several ids). The list shows the outcome in words and clears the selection on success.
 */

export type BulkOutcome = { kind: 'done' | 'error'; message: string };

type Props = {
  /** The selected incidents, in the list's order. */
  selected: Incident[];
  onClear(): void;
  onDone(outcome: BulkOutcome): void;
};

type Dialog = 'merge' | 'assign' | undefined;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function BulkActionBar({ selected, onClear, onDone }: Props) {
  const [busy, setBusy] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const ids = selected.map((i) => i.incident_id);
  const open = selected.filter((i) => i.progress !== 'Closed');
  const closed = selected.length - open.length;
  const skipped =
    closed > 0
      ? ` (${plural(closed, 'closed incident')} left as ${closed === 1 ? 'it was' : 'they were'})`
      : '';

  /** Runs one batch call; success clears the selection, failure keeps it for another try. */
  const run = async (label: string, call: () => Promise<unknown>, success: string): Promise<void> => {
    setBusy(label);
    try {
      await call();
      onDone({ kind: 'done', message: success });
    } catch (caught) {
      onDone({ kind: 'error', message: `Could not ${label.toLowerCase()}: ${describeError(caught)}` });
    } finally {
      setBusy(undefined);
    }
  };

  const acknowledge = () =>
    run(
      'Acknowledge',
      () => api.post('/incident/ack', { incident_ids: ids }),
      `${plural(open.length, 'incident')} acknowledged${skipped}.`,
    );
  const resolve = () =>
    run(
      'Resolve',
      () => api.post('/incident/resolve', { incident_ids: ids }),
      `${plural(open.length, 'incident')} resolved${skipped}.`,
    );

  return (
    <Paper withBorder p="xs" component="section" aria-label="Selected incidents">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm" fw={500} aria-live="polite">
          {plural(selected.length, 'incident')} selected
        </Text>
        <Group gap="xs" wrap="wrap">
          <Button
            size="xs"
            onClick={acknowledge}
            loading={busy === 'Acknowledge'}
            disabled={!!busy || open.length === 0}
          >
            Acknowledge
          </Button>
          <Button
            size="xs"
            color="green"
            onClick={resolve}
            loading={busy === 'Resolve'}
            disabled={!!busy || open.length === 0}
          >
            Resolve
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => setDialog('merge')}
            disabled={!!busy || selected.length < 2 || open.length === 0}
            title={selected.length < 2 ? 'Select at least two incidents to merge' : undefined}
          >
            Merge…
          </Button>
          <Button
            size="xs"
            variant="default"
            onClick={() => setDialog('assign')}
            disabled={!!busy || open.length === 0}
          >
            Reassign…
          </Button>
          <Button size="xs" variant="subtle" onClick={onClear} disabled={!!busy}>
            Clear selection
          </Button>
        </Group>
      </Group>
      <Modal
        opened={dialog === 'merge'}
        onClose={() => setDialog(undefined)}
        title={`Merge ${plural(selected.length, 'incident')}`}
        returnFocus
      >
        {dialog === 'merge' && (
          <MergeForm
            selected={selected}
            onCancel={() => setDialog(undefined)}
            onMerge={async (target) => {
              const into = selected.find((i) => i.incident_id === target)!;
              const sources = ids.filter((id) => id !== target);
              // Closed either way: the list says the outcome (and keeps the selection on failure).
              await run(
                'Merge',
                () =>
                  api.post('/incident/merge', { source_incident_ids: sources, target_incident_id: target }),
                `${plural(sources.length, 'incident')} merged into #${into.num} ${into.title}.`,
              );
              setDialog(undefined);
            }}
          />
        )}
      </Modal>
      <Modal
        opened={dialog === 'assign'}
        onClose={() => setDialog(undefined)}
        title={`Reassign ${plural(selected.length, 'incident')}`}
        returnFocus
      >
        {dialog === 'assign' && (
          <AssignForm
            onCancel={() => setDialog(undefined)}
            onAssign={async (people, names) => {
              await run(
                'Reassign',
                () =>
                  api.post('/incident/assign', {
                    incident_ids: ids,
                    assigned_to: { person_ids: people.map(Number) },
                  }),
                `${plural(ids.length, 'incident')} reassigned to ${names.join(', ')}.`,
              );
              setDialog(undefined);
            }}
          />
        )}
      </Modal>
    </Paper>
  );
}

/** Confirms a merge: every other selected incident moves into the chosen one (the first open by default). */
function MergeForm({
  selected,
  onCancel,
  onMerge,
}: {
  selected: Incident[];
  onCancel(): void;
  onMerge(target: string): Promise<void>;
}) {
  const targets = selected.filter((i) => i.progress !== 'Closed');
  const [target, setTarget] = useState<string | null>(targets[0]?.incident_id ?? null);
  const [busy, setBusy] = useState(false);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!target) return;
    setBusy(true);
    void onMerge(target).finally(() => setBusy(false));
  };
  return (
    <form onSubmit={onSubmit} aria-label="Merge the selected incidents">
      <Stack>
        <Select
          label="Merge into"
          description="Its alerts stay; the other incidents' alerts move into it and those incidents close."
          data={targets.map((i) => ({ value: i.incident_id, label: `#${i.num} ${i.title}` }))}
          value={target}
          onChange={setTarget}
          allowDeselect={false}
          comboboxProps={{ withinPortal: false }}
        />
        <Text size="sm">
          {selected.length - 1 === 1 ? 'One incident' : `${selected.length - 1} incidents`} will be merged and
          closed. This cannot be undone.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" color="red" loading={busy} disabled={!target}>
            Merge
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Picks the members the selected incidents are reassigned to. */
function AssignForm({
  onCancel,
  onAssign,
}: {
  onCancel(): void;
  onAssign(people: string[], names: string[]): Promise<void>;
}) {
  const [options, setOptions] = useState<{ value: string; label: string }[]>();
  const [loadError, setLoadError] = useState<string>();
  const [people, setPeople] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    memberOptions().then(setOptions, (caught) => setLoadError(describeError(caught)));
  }, []);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (people.length === 0) return;
    const names = people.map((id) => options?.find((o) => o.value === id)?.label ?? `#${id}`);
    setBusy(true);
    void onAssign(people, names).finally(() => setBusy(false));
  };
  return (
    <form onSubmit={onSubmit} aria-label="Reassign the selected incidents">
      <Stack>
        {!options && !loadError && <Loader size="sm" aria-label="Loading the members" />}
        {loadError && (
          <Alert color="red" role="alert">
            {loadError}
          </Alert>
        )}
        {options && (
          <MultiSelect
            label="Members"
            description="They are paged on their preferences; the running escalation ends."
            placeholder="Pick one or more members"
            searchable
            data={options}
            value={people}
            onChange={setPeople}
            comboboxProps={{ withinPortal: false }}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={people.length === 0}>
            Reassign
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
