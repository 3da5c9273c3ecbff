import { Badge } from '@mantine/core';
import type { Progress } from './types.ts';

const SEVERITY_COLORS: Record<string, string> = {
  Critical: 'red',
  Warning: 'orange',
  Info: 'blue',
  Ok: 'green',
};
const PROGRESS_COLORS: Record<Progress, string> = { Triggered: 'red', Processing: 'yellow', Closed: 'gray' };
const PROGRESS_WORDS: Record<Progress, string> = {
  Triggered: 'Open',
  Processing: 'Acknowledged',
  Closed: 'Closed',
};

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    // max-content: in a narrow table cell a badge would otherwise shrink to "CRITIC…".
    <Badge color={SEVERITY_COLORS[severity] ?? 'gray'} variant="filled" autoContrast miw="max-content">
      {severity}
    </Badge>
  );
}

export function ProgressBadge({ progress }: { progress: Progress }) {
  return (
    <Badge color={PROGRESS_COLORS[progress]} variant="light" miw="max-content">
      {PROGRESS_WORDS[progress]}
    </Badge>
  );
}
