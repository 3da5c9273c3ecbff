import { Alert, Button, Center, Loader, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useLocation } from 'wouter';
import { api, describeError, setCsrfToken } from '../api.ts';

const MIN_LENGTH = 10;

/** An invite link: the invited member chooses a password and is signed in. */
export function InvitePage({ token, onSignedIn }: { token: string; onSignedIn: () => Promise<void> }) {
  const [, navigate] = useLocation();
  const [invite, setInvite] = useState<{ member_name: string; email: string }>();
  const [loadError, setLoadError] = useState<string>();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api
      .post<{ member_name: string; email: string }>('/console/invite/info', { token })
      .then(setInvite, (caught) => setLoadError(describeError(caught)));
  }, [token]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) return setError('The two passwords differ.');
    setBusy(true);
    setError(undefined);
    try {
      const session = await api.post<{ csrf_token: string }>('/console/invite/accept', { token, password });
      setCsrfToken(session.csrf_token);
      await onSignedIn();
      navigate('/incidents', { replace: true });
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" radius="md" w="100%" maw={420} component="main">
        {loadError ? (
          <Alert color="red" title="This invite link cannot be used" role="alert">
            {loadError} Ask an admin of your account for a new link.
          </Alert>
        ) : !invite ? (
          <Center>
            <Loader aria-label="Loading" />
          </Center>
        ) : (
          <form onSubmit={submit}>
            <Stack>
              <Title order={1} size="h2">
                Welcome to Vigil, {invite.member_name}
              </Title>
              <Text size="sm">
                Choose a password for {invite.email || 'your account'}: at least {MIN_LENGTH} characters.
              </Text>
              {error && (
                <Alert color="red" role="alert">
                  {error}
                </Alert>
              )}
              <PasswordInput
                label="Password"
                autoComplete="new-password"
                required
                minLength={MIN_LENGTH}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
              />
              <PasswordInput
                label="Password again"
                autoComplete="new-password"
                required
                value={confirm}
                onChange={(e) => setConfirm(e.currentTarget.value)}
              />
              <Button type="submit" loading={busy}>
                Set password and sign in
              </Button>
            </Stack>
          </form>
        )}
      </Paper>
    </Center>
  );
}
