import { Alert, Button, Code, Group, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { api, describeError } from '../api.ts';

/** What /datasource/webhook/preview answers: the alert a mapping makes of a payload. */
type Preview = {
  alert: {
    alert_key: string;
    title: string;
    description: string;
    event_status: string;
    event_time: number;
    labels: Record<string, string>;
  };
  warnings: string[];
};

const FIELDS = [
  [
    'title',
    'Title',
    'Required. A JSONPath ($.alert.name) or text with JSONPaths in braces: {{$.host}} is down',
  ],
  [
    'alert_key',
    'Alert key',
    'Events with the same key update one alert; empty: derived from title and labels',
  ],
  ['status', 'Status', 'Recovered when its value is one of the recovery values'],
  ['severity', 'Severity', 'critical, warning, info (and their usual synonyms); others get the default'],
  ['description', 'Description', ''],
  ['event_time', 'Event time', 'Unix seconds or milliseconds, or an RFC 3339 time'],
] as const;

type Field = (typeof FIELDS)[number][0];

const SAMPLE = JSON.stringify(
  { title: 'Disk almost full', alert_key: 'disk-db-1', status: 'firing', severity: 'warning', host: 'db-1' },
  null,
  2,
);

/**
 * A generic webhook's mapping: one expression per alert field and per label, with a live preview
 * of the alert a pasted payload makes (POST /datasource/webhook/preview, nothing is stored), and
 * Save.
 */
export function WebhookMappingForm({
  settings,
  onSave,
}: {
  settings: Record<string, unknown>;
  onSave: (settings: Record<string, unknown>) => Promise<void>;
}) {
  const [fields, setFields] = useState<Record<Field, string>>(
    () =>
      Object.fromEntries(
        FIELDS.map(([f]) => [f, typeof settings[f] === 'string' ? settings[f] : '']),
      ) as Record<Field, string>,
  );
  const [labels, setLabels] = useState(() => JSON.stringify(settings.labels ?? {}, null, 2));
  const [recovery, setRecovery] = useState(() =>
    ((settings.recovery_values as string[] | undefined) ?? []).join(', '),
  );
  const [payload, setPayload] = useState(SAMPLE);
  const [preview, setPreview] = useState<Preview>();
  const [problem, setProblem] = useState<string>();
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  const mapping = (): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...fields };
    out.labels = JSON.parse(labels || '{}');
    out.recovery_values = recovery
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (typeof settings.default_severity === 'string') out.default_severity = settings.default_severity;
    return out;
  };

  // The preview follows every change, a moment after typing stops.
  // biome-ignore lint/correctness/useExhaustiveDependencies: mapping() reads the state listed.
  useEffect(() => {
    const timer = setTimeout(async () => {
      try {
        const body = { settings: mapping(), payload: JSON.parse(payload) };
        setPreview(await api.post<Preview>('/datasource/webhook/preview', body));
        setProblem(undefined);
      } catch (caught) {
        setPreview(undefined);
        setProblem(caught instanceof SyntaxError ? `Not JSON: ${caught.message}` : describeError(caught));
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [fields, labels, recovery, payload]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setSaved(false);
    try {
      await onSave(mapping());
      setSaved(true);
    } catch (caught) {
      setProblem(describeError(caught));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack gap="sm">
      <Title order={3} size="h4">
        Mapping
      </Title>
      <form onSubmit={save} aria-label="Webhook mapping">
        <Stack gap="xs">
          {FIELDS.map(([field, label, hint]) => (
            <TextInput
              key={field}
              label={label}
              description={hint}
              required={field === 'title'}
              value={fields[field]}
              onChange={(e) => setFields({ ...fields, [field]: e.currentTarget.value })}
            />
          ))}
          <Textarea
            label="Labels"
            description='JSON: label name → expression, e.g. {"host": "$.host"}'
            autosize
            minRows={2}
            value={labels}
            onChange={(e) => setLabels(e.currentTarget.value)}
          />
          <TextInput
            label="Recovery values"
            description="Comma-separated status values that mean recovered (empty: ok, resolved, recovered, closed, up)"
            value={recovery}
            onChange={(e) => setRecovery(e.currentTarget.value)}
          />
          <Textarea
            label="Sample payload"
            description="Paste a payload your tool sends: the preview shows the alert it makes."
            autosize
            minRows={4}
            value={payload}
            onChange={(e) => setPayload(e.currentTarget.value)}
            styles={{ input: { fontFamily: 'monospace' } }}
          />
          <Group>
            <Button type="submit" loading={saving}>
              Save mapping
            </Button>
            {saved && <Text size="sm">Saved.</Text>}
          </Group>
        </Stack>
      </form>
      {problem && (
        <Alert color="yellow" title="No alert from this payload" role="status">
          {problem}
        </Alert>
      )}
      {preview && (
        <Table aria-label="Preview" verticalSpacing="xs">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th>Title</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{preview.alert.title}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Status</Table.Th>
              <Table.Td>{preview.alert.event_status}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Alert key</Table.Th>
              <Table.Td>{preview.alert.alert_key || '(derived)'}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Description</Table.Th>
              <Table.Td style={{ overflowWrap: 'anywhere' }}>{preview.alert.description}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>Labels</Table.Th>
              <Table.Td>
                <Code>{JSON.stringify(preview.alert.labels)}</Code>
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
