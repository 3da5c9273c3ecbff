import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { type ReactNode, useCallback, useRef, useState } from 'react';
import { describeError } from '../api.ts';

/* Feedback every page gives the same way: an API error in words, a notice, a confirmation. */

/** What went wrong, in the API's words (they name the field); closable. */
export function ErrorAlert({
  error,
  onClose,
  title = 'That did not work',
}: {
  error: string | undefined;
  onClose: () => void;
  title?: string;
}) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert" withCloseButton onClose={onClose}>
      {error}
    </Alert>
  );
}

/** A short success message read out by screen readers. */
export function Notice({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <Text size="sm" c="green.8" role="status">
      {text}
    </Text>
  );
}

/**
 * Runs an API call for a form or button: `busy` while it runs, the error in words if it fails,
 * the notice when it succeeds.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const run = useCallback(async (action: () => Promise<unknown>, done?: string): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
      setNotice(done);
      return true;
    } catch (caught) {
      setError(describeError(caught));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, notice, run, clearError: () => setError(undefined) };
}

/** "Remove X?" with the consequence spelled out; `onConfirm` runs the call (through `useAction`). */
export function ConfirmModal(props: {
  title: string | undefined;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  // The title stays while the dialog fades out after its subject is cleared.
  const title = useRef(props.title);
  if (props.title !== undefined) title.current = props.title;
  return (
    <Modal opened={props.title !== undefined} onClose={props.onClose} title={title.current}>
      <Stack gap="sm">
        <Text size="sm">{props.body}</Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={props.onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={busy}
            onClick={async () => {
              setBusy(true);
              // Closed either way: a refusal is shown in words beside what it was about.
              await props.onConfirm();
              setBusy(false);
              props.onClose();
            }}
          >
            {props.confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
