import Type from 'typebox';
import { call, csvObjectIds, defineTool, Paging, pageOf, slicePage } from '../tool.ts';

/* The alerts toolset: Flashduty's query_alert_events, and Vigil's explain_alert_grouping. */

type FeedItem = { type: string; detail: Record<string, unknown>; created_at: number };

const queryAlertEvents = defineTool({
  name: 'query_alert_events',
  toolset: 'alerts',
  title: 'Query alert events',
  description: 'The raw events pushed for one alert (newest first), paged (limit, page).',
  write: false,
  input: Type.Object({
    alert_id: Type.String({ description: 'The alert id (24 hexadecimal characters).' }),
    ...Paging,
  }),
  async run(context, input) {
    const [id] = csvObjectIds('alert_id', input.alert_id);
    const data = await call<{ items: unknown[] }>(context, '/alert/event/list', { alert_id: id });
    return slicePage(data.items, pageOf(input));
  },
});

/** How many feed pages (of 100) the explanation reads looking for the alert's entry. */
const MAX_FEED_PAGES = 20;

const explainAlertGrouping = defineTool({
  name: 'explain_alert_grouping',
  toolset: 'alerts',
  title: 'Explain alert grouping',
  description:
    "Vigil's own: why an alert is in its incident — whether it opened the incident or joined it, the reason " +
    'the grouping step recorded (same grouping key, similarity score, or no grouping), moves by a person ' +
    "(merge), and the channel's grouping settings.",
  write: false,
  input: Type.Object({ alert_id: Type.String({ description: 'The alert id (24 hexadecimal characters).' }) }),
  async run(context, input) {
    const [id] = csvObjectIds('alert_id', input.alert_id);
    const info = await call<{ title: string; channel_id: number; incident?: { incident_id: string } }>(
      context,
      '/alert/info',
      { alert_id: id },
    );
    const alert = { ...info, incident_id: info.incident?.incident_id ?? '' };
    const about: { type: string; at_ms: number; detail: Record<string, unknown> }[] = [];
    if (alert.incident_id) {
      for (let p = 1; p <= MAX_FEED_PAGES; p++) {
        const page = await call<{ items: FeedItem[]; has_next_page: boolean }>(context, '/incident/feed', {
          incident_id: alert.incident_id,
          types: ['i_new', 'a_merge', 'i_merge'],
          asc: true,
          p,
          limit: 100,
        });
        for (const item of page.items) {
          const ids = item.detail.alert_ids;
          if (item.detail.alert_id === id || (Array.isArray(ids) && ids.includes(id)))
            about.push({ type: item.type, at_ms: item.created_at, detail: item.detail });
        }
        if (!page.has_next_page) break;
      }
    }
    const channel =
      alert.channel_id > 0
        ? await call<{ channel_name: string; group: unknown }>(context, '/channel/info', {
            channel_id: alert.channel_id,
          })
        : undefined;
    const opened = about.find((entry) => entry.type === 'i_new');
    return {
      alert_id: id,
      title: alert.title,
      incident_id: alert.incident_id || null,
      verdict: !alert.incident_id
        ? 'The alert is in no incident (it was silenced, inhibited or dropped before grouping).'
        : opened
          ? `The alert opened incident ${alert.incident_id}: ${String(opened.detail.reason ?? 'no reason recorded')}.`
          : about.length > 0
            ? `The alert joined incident ${alert.incident_id}: ${String(about[0]!.detail.reason ?? `moved there (${about[0]!.type})`)}.`
            : `The alert is in incident ${alert.incident_id}, but its timeline records no grouping entry for it.`,
      timeline: about,
      channel: channel
        ? { channel_id: alert.channel_id, channel_name: channel.channel_name, group: channel.group }
        : null,
    };
  },
});

export const ALERT_TOOLS = [queryAlertEvents, explainAlertGrouping];
