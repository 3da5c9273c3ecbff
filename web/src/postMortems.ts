/* The post-mortem API's shapes (docs/post-mortems.md) and the console's small helpers for them. */

export type PostMortemStatus = 'drafting' | 'published';

export type PostMortemMeta = {
  post_mortem_id: string;
  title: string;
  status: PostMortemStatus;
  template_id: string;
  incident_ids: string[];
  author_ids: number[];
  channel_id: number;
  channel_name: string;
  created_at_seconds: number;
  updated_at_seconds: number;
};

export type PostMortem = {
  meta: PostMortemMeta;
  basics: {
    incidents_highest_severity: string;
    incidents_earliest_start_seconds: number;
    incidents_latest_close_seconds: number;
    incidents_total_duration_seconds: number;
    responders: { person_id: number; person_name?: string; acknowledged_at: number }[];
  };
  content: { content: string };
  follow_ups: string;
};

/** "1h 5m": a duration in seconds, as the report's summary writes it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m ? `${m}m` : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : `${s % 60}s`;
}

/** The edit calls a save needs: only what changed, each through its own reset call. */
export function editsOf(
  saved: { title: string; content: string; follow_ups: string },
  draft: { title: string; content: string; follow_ups: string },
): { path: string; body: Record<string, string> }[] {
  const edits: { path: string; body: Record<string, string> }[] = [];
  if (draft.title.trim() !== saved.title) {
    edits.push({ path: '/incident/post-mortem/title/reset', body: { title: draft.title.trim() } });
  }
  if (draft.content !== saved.content) {
    edits.push({ path: '/incident/post-mortem/content/reset', body: { content: draft.content } });
  }
  if (draft.follow_ups !== saved.follow_ups) {
    edits.push({ path: '/incident/post-mortem/follow-ups/reset', body: { follow_ups: draft.follow_ups } });
  }
  return edits;
}
