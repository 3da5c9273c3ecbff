import { Button, Code, CopyButton, Group, Stack, Text, TextInput } from '@mantine/core';

/*
 * Pieces the account set-up pages share (integrations, profile, members, teams, roles, app keys):
 * a read-only value with a copy button, a code block with a copy button.
 */

export function CopyField({ label, value }: { label: string; value: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-end">
      <TextInput readOnly label={label} value={value} style={{ flex: 1, minWidth: 0 }} />
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button variant="default" onClick={copy} aria-label={`Copy ${label.toLowerCase()}`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

export function CopyCode({ label, code, hint }: { label: string; code: string; hint?: string }) {
  const id = `code-${label.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}`;
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap">
        <Text fw={600} size="sm" id={id}>
          {label}
        </Text>
        <CopyButton value={code}>
          {({ copied, copy }) => (
            <Button
              size="compact-sm"
              variant="default"
              onClick={copy}
              aria-label={`Copy ${label.toLowerCase()}`}
            >
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      {hint && (
        <Text size="sm" c="dimmed">
          {hint}
        </Text>
      )}
      <Code block aria-labelledby={id} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {code}
      </Code>
    </Stack>
  );
}
