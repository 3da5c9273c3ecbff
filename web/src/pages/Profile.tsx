import {
  Alert,
  Button,
  Checkbox,
  Group,
  Loader,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useMemo, useState } from 'react';
import { api, describeError } from '../api.ts';
import { ErrorAlert } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { useSession } from '../session.tsx';

type Info = {
  member_id: number;
  member_name: string;
  email: string;
  phone: string;
  country_code: string;
  time_zone: string;
};
type SeverityKey = 'critical' | 'warning' | 'info';
type Preference = { trigger_notify: Record<SeverityKey, string[]> };
type Reach = { channels: string[]; skipped: { channel: string; reason: string }[]; unreachable: boolean };

const SEVERITIES: { key: SeverityKey; label: string; api: string }[] = [
  { key: 'critical', label: 'Critical', api: 'Critical' },
  { key: 'warning', label: 'Warning', api: 'Warning' },
  { key: 'info', label: 'Info', api: 'Info' },
];
const CHANNELS: { value: string; label: string }[] = [
  { value: 'email', label: 'E-mail' },
  { value: 'sms', label: 'SMS' },
  { value: 'voice', label: 'Voice call' },
];

/** Every IANA zone the browser knows, for the time-zone picker. */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? ['UTC'];
}

/**
 * The signed-in member's own settings: name, time zone, contact methods, how they want to be
 * notified per severity, and their password.
 */
export function ProfilePage() {
  const passwordChecks = useChecks('/console/password/change', { next: 'new_password' });
  const checks = useChecks('/member/info/reset', { name: 'member_name' });
  const session = useSession();
  const [info, setInfo] = useState<Info>();
  const [form, setForm] = useState({ name: '', email: '', phone: '', countryCode: '', timeZone: '' });
  const [preference, setPreference] = useState<Preference>();
  const [reach, setReach] = useState<Record<string, Reach>>({});
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [passwords, setPasswords] = useState({ current: '', next: '' });
  const zones = useMemo(() => timeZones().map((z) => ({ value: z, label: z })), []);

  const loadReach = useCallback(async (memberId: number) => {
    const answers = await Promise.all(
      SEVERITIES.map((s) =>
        api.post<{ items: Reach[] }>('/notification/reachability', {
          person_ids: [memberId],
          incident_severity: s.api,
        }),
      ),
    );
    setReach(Object.fromEntries(SEVERITIES.map((s, i) => [s.key, answers[i]!.items[0]!])));
  }, []);

  const load = useCallback(async () => {
    try {
      const [me, pref] = await Promise.all([
        api.post<Info>('/member/info'),
        api.post<Preference>('/preference/info'),
      ]);
      setInfo(me);
      setForm({
        name: me.member_name,
        email: me.email,
        phone: me.phone,
        countryCode: me.country_code,
        timeZone: me.time_zone,
      });
      setPreference(pref);
      await loadReach(me.member_id);
    } catch (caught) {
      setError(describeError(caught));
    }
  }, [loadReach]);
  useEffect(() => {
    void load();
  }, [load]);

  const run = async (what: string, done: string, call: () => Promise<unknown>) => {
    setBusy(what);
    setError(undefined);
    setSaved(undefined);
    try {
      await call();
      setSaved(done);
      return true;
    } catch (caught) {
      setError(describeError(caught));
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  const saveProfile = async (event: FormEvent) => {
    event.preventDefault();
    if (!info) return;
    const change: Record<string, unknown> = { member_id: info.member_id };
    if (form.name.trim() !== info.member_name) change.member_name = form.name.trim();
    if (form.email.trim() !== info.email && form.email.trim() !== '') change.email = form.email.trim();
    if (form.phone.trim() !== info.phone) change.phone = form.phone.trim();
    if (form.countryCode.trim() !== info.country_code) change.country_code = form.countryCode.trim();
    if (form.timeZone !== info.time_zone) change.time_zone = form.timeZone;
    const ok = await run('profile', 'Your profile is saved.', () => api.post('/member/info/reset', change));
    if (ok) {
      await session.refresh();
      await load();
    }
  };

  const toggle = (severity: SeverityKey, channel: string, on: boolean) => {
    if (!preference) return;
    const current = preference.trigger_notify[severity];
    const next = on ? [...current, channel] : current.filter((c) => c !== channel);
    setPreference({ trigger_notify: { ...preference.trigger_notify, [severity]: next } });
  };

  const savePreference = async () => {
    if (!preference || !info) return;
    const ok = await run('preference', 'Your notification preferences are saved.', () =>
      api.post('/preference/update', { trigger_notify: preference.trigger_notify }),
    );
    if (ok) await loadReach(info.member_id);
  };

  const changePassword = async (event: FormEvent) => {
    event.preventDefault();
    const ok = await run(
      'password',
      'Your password is changed. Your other sessions are signed out; this one stays.',
      () =>
        api.post('/console/password/change', {
          current_password: passwords.current,
          new_password: passwords.next,
        }),
    );
    if (ok) setPasswords({ current: '', next: '' });
  };

  if (!info || !preference) {
    return error ? (
      <ErrorAlert error={error} onClose={() => void load()} />
    ) : (
      <Loader aria-label="Loading your profile" />
    );
  }

  const locale = session.member.locale || 'en-US';
  return (
    <Stack gap="lg" maw={720}>
      <Title order={2}>Your profile</Title>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {saved && (
        <Alert color="green" role="status" withCloseButton onClose={() => setSaved(undefined)}>
          {saved}
        </Alert>
      )}

      <form onSubmit={saveProfile} aria-labelledby="profile-title">
        <Stack gap="sm">
          <Title order={3} size="h4" id="profile-title">
            Name, time zone and contact methods
          </Title>
          <TextInput
            label="Name"
            required
            minLength={2}
            error={checks.error('name', form.name)}
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
          <Select
            label="Time zone"
            description={`Times in the console show in this zone. Now: ${formatTime(Date.now(), session.timeZone, locale)} (${session.timeZone})`}
            placeholder={`The account's zone (${session.member.account_time_zone || 'UTC'})`}
            searchable
            clearable
            data={zones}
            value={form.timeZone || null}
            onChange={(value) => setForm({ ...form, timeZone: value ?? '' })}
          />
          <TextInput
            label="E-mail"
            type="email"
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
          />
          <Group gap="sm" align="flex-start" wrap="wrap">
            <TextInput
              label="Country code"
              placeholder="1"
              value={form.countryCode}
              onChange={(e) => setForm({ ...form, countryCode: e.currentTarget.value })}
              w={{ base: '100%', sm: 120 }}
            />
            <TextInput
              label="Phone"
              description="For SMS and voice calls"
              value={form.phone}
              onChange={(e) => setForm({ ...form, phone: e.currentTarget.value })}
              style={{ flex: 1, minWidth: 180 }}
            />
          </Group>
          <Group>
            <Button type="submit" loading={busy === 'profile'}>
              Save profile
            </Button>
          </Group>
        </Stack>
      </form>

      <Stack gap="sm">
        <Title order={3} size="h4" id="preference-title">
          How to notify me of incidents
        </Title>
        <Table aria-labelledby="preference-title" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Severity</Table.Th>
              {CHANNELS.map((c) => (
                <Table.Th key={c.value}>{c.label}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {SEVERITIES.map((s) => (
              <Table.Tr key={s.key}>
                <Table.Td>{s.label}</Table.Td>
                {CHANNELS.map((c) => (
                  <Table.Td key={c.value}>
                    <Checkbox
                      aria-label={`${c.label} for ${s.label} incidents`}
                      checked={preference.trigger_notify[s.key].includes(c.value)}
                      onChange={(e) => toggle(s.key, c.value, e.currentTarget.checked)}
                    />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        <Stack gap={2}>
          {SEVERITIES.map((s) => {
            const r = reach[s.key];
            if (!r) return null;
            return (
              <Text key={s.key} size="sm" c={r.unreachable ? 'red' : undefined}>
                {s.label}:{' '}
                {r.unreachable
                  ? 'Vigil cannot reach you'
                  : `Vigil reaches you by ${r.channels.map((ch) => CHANNELS.find((c) => c.value === ch)?.label ?? ch).join(', ')}`}
                {r.skipped.length > 0 && ` (${[...new Set(r.skipped.map((k) => k.reason))].join('; ')})`}
              </Text>
            );
          })}
        </Stack>
        <Group>
          <Button variant="default" loading={busy === 'preference'} onClick={() => void savePreference()}>
            Save preferences
          </Button>
        </Group>
      </Stack>

      <form onSubmit={changePassword} aria-labelledby="password-title">
        <Stack gap="sm">
          <Title order={3} size="h4" id="password-title">
            Change password
          </Title>
          <PasswordInput
            label="Current password"
            required
            autoComplete="current-password"
            value={passwords.current}
            onChange={(e) => setPasswords({ ...passwords, current: e.currentTarget.value })}
          />
          <PasswordInput
            label="New password"
            description="10 to 256 characters"
            required
            minLength={10}
            error={passwordChecks.error('next', passwords.next)}
            autoComplete="new-password"
            value={passwords.next}
            onChange={(e) => setPasswords({ ...passwords, next: e.currentTarget.value })}
          />
          <Group>
            <Button type="submit" variant="default" loading={busy === 'password'}>
              Change password
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
