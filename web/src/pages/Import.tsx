import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  List,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { api, describeError } from '../api.ts';
import { ErrorAlert } from '../components/feedback.tsx';
import { formatTime } from '../format.ts';
import {
  ACTION_WORDS,
  describeCheck,
  type ImportReport,
  mergeReports,
  orderedStages,
  SOURCES,
  type SourceName,
  STAGES,
  type Stage,
  summarize,
} from '../imports.ts';
import { useSession } from '../session.tsx';
import { CopyField } from '../setup-ui.tsx';

/**
 * Import from PagerDuty, Opsgenie or Grafana OnCall (docs/import.md): plan first (/import/plan, all
 * stages in one call, nothing written), then import stage by stage (/import/apply), with progress.
 */
export function ImportPage() {
  const { timeZone } = useSession();
  const [source, setSource] = useState<SourceName>('pagerduty');
  const [apiUrl, setApiUrl] = useState(SOURCES[0]!.urls[0]!);
  const [token, setToken] = useState('');
  const [stages, setStages] = useState<Stage[]>(STAGES.map((s) => s.value));
  const [plan, setPlan] = useState<ImportReport>();
  const [result, setResult] = useState<ImportReport>();
  const [progress, setProgress] = useState<{ done: number; total: number; stage?: Stage }>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const body = (only: Stage[]) => ({ source, api_url: apiUrl.trim(), token, only });

  const onPlan = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setPlan(undefined);
    setResult(undefined);
    setProgress({ done: 0, total: 1 });
    try {
      setPlan(await api.post<ImportReport>('/import/plan', body(orderedStages(stages))));
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
      setProgress(undefined);
    }
  };

  const onApply = async () => {
    const order = orderedStages(stages);
    setBusy(true);
    setError(undefined);
    const reports: ImportReport[] = [];
    try {
      for (const [i, stage] of order.entries()) {
        setProgress({ done: i, total: order.length, stage });
        const report = await api.post<ImportReport>('/import/apply', body([stage]));
        reports.push(report);
        setResult(mergeReports(reports));
        if (report.error) break;
      }
      setProgress({ done: order.length, total: order.length });
    } catch (caught) {
      setError(describeError(caught));
      setResult(mergeReports(reports));
    } finally {
      setBusy(false);
    }
  };

  const shown = result ?? plan;
  return (
    <Stack gap="md" maw={1100}>
      <Title order={2}>Import</Title>
      <Text size="sm">
        Move in from another on-call system: members (matched by e-mail), teams, schedules (exactly, with who
        is on call compared at every hand-off), escalation policies and integrations. Plan first: it reads
        everything and changes nothing. Running the import again creates nothing twice.
      </Text>
      <form onSubmit={onPlan}>
        <Stack gap="sm" maw={640}>
          <Select
            label="Source"
            data={SOURCES.map((s) => ({ value: s.value, label: s.label }))}
            value={source}
            allowDeselect={false}
            onChange={(value) => {
              const next = (value ?? 'pagerduty') as SourceName;
              setSource(next);
              setApiUrl(SOURCES.find((s) => s.value === next)!.urls[0] ?? '');
            }}
          />
          <TextInput
            label="API address"
            description={
              SOURCES.find((s) => s.value === source)!.urls.join(' or ') || 'Your Grafana OnCall API URL'
            }
            value={apiUrl}
            onChange={(e) => setApiUrl(e.currentTarget.value)}
            required
          />
          <PasswordInput
            label="API token"
            description="A read-only token is enough. It is used for this import only and not stored."
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
            required
          />
          <Checkbox.Group label="What to import" value={stages} onChange={(v) => setStages(v as Stage[])}>
            <Stack gap={4} mt={4}>
              {STAGES.map((s) => (
                <Checkbox key={s.value} value={s.value} label={s.label} />
              ))}
            </Stack>
          </Checkbox.Group>
          <Group>
            <Button type="submit" loading={busy && !plan} disabled={busy || stages.length === 0}>
              Plan
            </Button>
            {plan && !result && (
              <Button color="green" onClick={onApply} disabled={busy}>
                Import
              </Button>
            )}
          </Group>
        </Stack>
      </form>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {progress && (
        <Stack gap={4}>
          <progress
            aria-label="Import progress"
            value={progress.done}
            max={progress.total}
            style={{ width: '100%', maxWidth: 640 }}
          />
          <Text size="sm" role="status">
            {!plan
              ? 'Reading the source…'
              : progress.stage
                ? `Importing ${progress.stage} (${progress.done + 1} of ${progress.total})…`
                : 'Import finished.'}
          </Text>
        </Stack>
      )}
      {shown && <ReportView report={shown} timeZone={timeZone} />}
    </Stack>
  );
}

function ReportView({ report, timeZone }: { report: ImportReport; timeZone: string }) {
  return (
    <Stack gap="md">
      <Title order={3}>{report.mode === 'plan' ? 'Plan' : 'Imported'}</Title>
      <Text>{summarize(report)}</Text>
      {report.error && (
        <Alert color="orange" title={`Stopped in ${report.error.stage}`}>
          {report.error.message}. Nothing of that stage was written; run the import again to go on from there.
        </Alert>
      )}
      {orderedStages([...new Set(report.items.map((i) => i.stage))]).map((stage) => (
        <Stack key={stage} gap={4}>
          <Title order={4}>{STAGES.find((s) => s.value === stage)!.label}</Title>
          <Table.ScrollContainer minWidth={600}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>What</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Action</Table.Th>
                  <Table.Th>Why</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.items
                  .filter((i) => i.stage === stage)
                  .map((item) => (
                    <Table.Tr key={`${item.kind}-${item.source_id}`}>
                      <Table.Td>{item.kind}</Table.Td>
                      <Table.Td>{item.name}</Table.Td>
                      <Table.Td>
                        <Badge
                          variant="light"
                          color={
                            item.action === 'failed' ? 'red' : item.action === 'skip' ? 'orange' : 'blue'
                          }
                        >
                          {ACTION_WORDS[item.action]}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{item.reason}</Text>
                        {item.notes.map((note) => (
                          <Text key={note} size="xs" c="dimmed">
                            {note}
                          </Text>
                        ))}
                        {item.push_url && (
                          <CopyField label={`Push URL of ${item.name}`} value={item.push_url} />
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      ))}
      {report.skipped.length > 0 && (
        <Stack gap={4}>
          <Title order={4}>Not imported</Title>
          <List size="sm">
            {report.skipped.map((s) => (
              <List.Item key={`${s.kind}-${s.source_id}`}>
                {s.kind} {s.name}: {s.reason}
              </List.Item>
            ))}
          </List>
        </Stack>
      )}
      {report.checks.length > 0 && (
        <Stack gap={4}>
          <Title order={4}>Who is on call, compared</Title>
          <List size="sm">
            {report.checks.map((c) => (
              <List.Item key={c.name}>
                {describeCheck(c)}
                {c.differences.slice(0, 10).map((d) => (
                  <Text key={d.at} size="xs" c="red.8">
                    {formatTime(d.at * 1000, timeZone)}: source [{d.source.join(', ')}], Vigil [
                    {d.vigil.join(', ')}]
                  </Text>
                ))}
              </List.Item>
            ))}
          </List>
        </Stack>
      )}
    </Stack>
  );
}
