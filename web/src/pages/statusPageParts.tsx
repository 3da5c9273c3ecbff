import { Badge } from '@mantine/core';
import { statusColor, statusWords } from '../statusPages.ts';

/* The status badge the status-page panels share. */

export function StatusBadge({ status }: { status: string }) {
  return (
    <Badge color={statusColor(status)} variant="light" miw="max-content">
      {statusWords(status)}
    </Badge>
  );
}
