import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Loader,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api, describeError } from '../api.ts';
import { ConfirmModal, ErrorAlert, Notice, useAction } from '../components/feedback.tsx';
import { useChecks } from '../field-checks.ts';
import { formatTime } from '../format.ts';
import { editsOf, formatDuration, type PostMortem } from '../postMortems.ts';
import { useSession } from '../session.tsx';

type Draft = { title: string; content: string; follow_ups: string };

const draftOf = (pm: PostMortem): Draft => ({
  title: pm.meta.title,
  content: pm.content.content,
  follow_ups: pm.follow_ups,
});

/**
 * One post-mortem: its incidents and figures, the Markdown body and follow-ups to write, publish
 * (or return to drafting), export as a Markdown file, delete. A published report's title and body
 * are read-only until it is returned to drafting, as the server holds them.
 */
export function PostMortemPage({ postMortemId }: { postMortemId: string }) {
  const { timeZone } = useSession();
  const [, navigate] = useLocation();
  const [pm, setPm] = useState<PostMortem>();
  const [draft, setDraft] = useState<Draft>();
  const [loadError, setLoadError] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  const action = useAction();
  const checks = useChecks('/incident/post-mortem/title/reset', { title: 'title' });

  const load = useCallback(async () => {
    try {
      const loaded = await api.get<PostMortem>(
        `/incident/post-mortem/info?post_mortem_id=${encodeURIComponent(postMortemId)}`,
      );
      setPm(loaded);
      setDraft(draftOf(loaded));
    } catch (caught) {
      setLoadError(describeError(caught));
    }
  }, [postMortemId]);
  useEffect(() => void load(), [load]);

  if (!pm || !draft) {
    return loadError ? (
      <Alert color="red" title="This post-mortem could not be loaded" role="alert">
        {loadError} <Link href="/incidents">Back to the incidents.</Link>
      </Alert>
    ) : (
      <Loader aria-label="Loading the post-mortem" />
    );
  }

  const published = pm.meta.status === 'published';
  const id = { post_mortem_id: postMortemId };
  const edits = editsOf(draftOf(pm), draft);
  // The title's limit is said beside it; nothing is sent (or published) while it is broken.
  const titleOk = checks.ok({ title: draft.title });
  const b = pm.basics;

  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    await action.run(async () => {
      for (const edit of edits) await api.post(edit.path, { ...id, ...edit.body });
      await load();
    }, 'Saved.');
  };
  const setStatus = (status: 'drafting' | 'published') =>
    action.run(
      async () => {
        // Unsaved words go in before the report is published.
        for (const edit of editsOf(draftOf(pm), draft)) await api.post(edit.path, { ...id, ...edit.body });
        await api.post('/incident/post-mortem/status/reset', { ...id, status });
        await load();
      },
      status === 'published' ? 'Published.' : 'Back to drafting: the report can be edited.',
    );
  const exportMarkdown = () =>
    action.run(async () => {
      const blob = await api.file('/incident/post-mortem/export', id);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `post-mortem-${postMortemId}.md`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    }, 'Exported as Markdown.');

  return (
    <Stack gap="md" component="form" onSubmit={save}>
      <Group gap="xs">
        {pm.meta.incident_ids.map((incidentId) => (
          <Anchor key={incidentId} component={Link} href={`/incident/detail/${incidentId}`} size="sm">
            ← Incident {incidentId.slice(-6)}
          </Anchor>
        ))}
      </Group>
      <Group gap="xs">
        <Badge color={published ? 'green' : 'gray'} variant="light">
          {published ? 'Published' : 'Draft'}
        </Badge>
        <Text size="sm" c="dimmed">
          Post-mortem · {pm.meta.channel_name || 'no channel'} · updated{' '}
          {formatTime(pm.meta.updated_at_seconds * 1000, timeZone)}
        </Text>
      </Group>
      <Title order={2} style={{ overflowWrap: 'anywhere' }}>
        {pm.meta.title}
      </Title>
      <Group gap="lg" aria-label="Figures">
        <Text size="sm">Highest severity: {b.incidents_highest_severity}</Text>
        <Text size="sm">Started: {formatTime(b.incidents_earliest_start_seconds * 1000, timeZone)}</Text>
        <Text size="sm">
          Closed:{' '}
          {b.incidents_latest_close_seconds
            ? formatTime(b.incidents_latest_close_seconds * 1000, timeZone)
            : 'not yet'}
        </Text>
        <Text size="sm">Total duration: {formatDuration(b.incidents_total_duration_seconds)}</Text>
        <Text size="sm">
          Responders: {b.responders.map((r) => r.person_name || `#${r.person_id}`).join(', ') || 'none'}
        </Text>
      </Group>

      <TextInput
        label="Title"
        value={draft.title}
        error={checks.error('title', draft.title)}
        disabled={published}
        onChange={(e) => setDraft({ ...draft, title: e.currentTarget.value })}
      />
      <Textarea
        label="Report (Markdown)"
        description={
          published
            ? 'Published reports are read-only: return it to drafting to edit.'
            : 'Prefilled from the incidents; write the impact, root cause and lessons.'
        }
        value={draft.content}
        disabled={published}
        autosize
        minRows={16}
        maxRows={40}
        styles={{ input: { fontFamily: 'monospace' } }}
        onChange={(e) => setDraft({ ...draft, content: e.currentTarget.value })}
      />
      <Textarea
        label="Follow-ups"
        description="Action items; editable after publishing too."
        value={draft.follow_ups}
        autosize
        minRows={3}
        onChange={(e) => setDraft({ ...draft, follow_ups: e.currentTarget.value })}
      />
      <Group gap="xs" role="toolbar" aria-label="Post-mortem actions">
        <Button type="submit" disabled={edits.length === 0 || !titleOk} loading={action.busy}>
          Save
        </Button>
        {published ? (
          <Button variant="default" onClick={() => void setStatus('drafting')}>
            Return to drafting
          </Button>
        ) : (
          <Button color="green" disabled={!titleOk} onClick={() => void setStatus('published')}>
            Publish
          </Button>
        )}
        <Button variant="default" onClick={() => void exportMarkdown()}>
          Export Markdown
        </Button>
        <Button variant="subtle" color="red" onClick={() => setDeleting(true)}>
          Delete
        </Button>
      </Group>
      <div aria-live="polite">
        <Notice text={action.notice} />
      </div>
      <ErrorAlert error={action.error} onClose={action.clearError} />
      <ConfirmModal
        title={deleting ? 'Delete this post-mortem?' : undefined}
        body="The report, its body and follow-ups are deleted; the incidents stay as they are."
        confirmLabel="Delete"
        onConfirm={() =>
          action.run(async () => {
            await api.post('/incident/post-mortem/delete', id);
            navigate(`/incident/detail/${pm.meta.incident_ids[0] ?? ''}`);
          })
        }
        onClose={() => setDeleting(false)}
      />
    </Stack>
  );
}
