import { CONNECTIONS, drainMs, KEYS, nth, ok, RECOVERY_EVERY, vigilBody } from './ingest-compare.ts';
import { call, load } from './load.ts';
import { runCli, startServer, vigilEnv } from './server.ts';
import { forEachTarget, log, type Target } from './targets.ts';

/*
 * `npm run bench -- ingest --variants-only` (docs/benchmarks.md, "Processing and sources"): in one
 * run on one server, the closed loop of bench/ingest-compare.ts (32 connections, 5,000 keys, every
 * 10th event a recovery) through the plain standard push, the same push to an integration with five
 * enrichment rules and an alert pipeline (issue 20: ≤ 25% cost), and single-alert pushes of the
 * other sources (issue 26: ≥ 0.8× the standard push). Each is reported by its sustained rate:
 * events ÷ (load time + the time the ingest backlog takes to drain), as a ratio of the plain push's.
 */

type Body = (context: Record<string, unknown>) => string;

/** Grafana's webhook (unified alerting) with one alert. */
const grafanaBody =
  (counter: { n: number }): Body =>
  (context) => {
    const { key, recovery } = nth(context, counter);
    const now = new Date().toISOString();
    return JSON.stringify({
      receiver: 'vigil',
      status: recovery ? 'resolved' : 'firing',
      orgId: 1,
      alerts: [
        {
          status: recovery ? 'resolved' : 'firing',
          labels: { alertname: 'HighCPU', service: `svc-${key % 50}`, host: `host-${key}` },
          annotations: { summary: `CPU above 90% on host-${key}` },
          startsAt: now,
          endsAt: recovery ? now : '0001-01-01T00:00:00Z',
          fingerprint: `g${key}`,
        },
      ],
    });
  };

/** PagerDuty Events API v2: one event a request, as PagerDuty's API takes them. */
const pagerDutyBody =
  (counter: { n: number }): Body =>
  (context) => {
    const { key, recovery } = nth(context, counter);
    return JSON.stringify({
      event_action: recovery ? 'resolve' : 'trigger',
      dedup_key: `p${key}`,
      payload: {
        summary: `CPU above 90% on host-${key}`,
        source: `host-${key}`,
        severity: 'critical',
        custom_details: { service: `svc-${key % 50}` },
      },
    });
  };

/** An Alertmanager webhook (version 4) with one alert. */
const alertmanagerOneBody =
  (counter: { n: number }): Body =>
  (context) => {
    const { key, recovery } = nth(context, counter);
    const now = new Date().toISOString();
    return JSON.stringify({
      version: '4',
      status: recovery ? 'resolved' : 'firing',
      alerts: [
        {
          status: recovery ? 'resolved' : 'firing',
          labels: { alertname: 'HighCPU', service: `svc-${key % 50}`, host: `host-${key}` },
          annotations: { summary: `CPU above 90% on host-${key}` },
          startsAt: now,
          endsAt: recovery ? now : '0001-01-01T00:00:00Z',
          fingerprint: `a${key}`,
        },
      ],
    });
  };

/** Five enrichment rules of four kinds (extraction ×2, composition, mapping table, drop). */
const enrichmentRules = (schemaId: string) => [
  {
    kind: 'extraction',
    settings: { source_field: 'title', pattern: 'on (?P<result>host-\\d+)', result_label: 'target_host' },
  },
  {
    kind: 'extraction',
    settings: { source_field: 'labels.service', pattern: 'svc-(?P<result>\\d+)', result_label: 'svc_no' },
  },
  {
    kind: 'composition',
    settings: { template: '{{.labels.service}}/{{.labels.target_host}}', result_label: 'target' },
  },
  { kind: 'mapping', settings: { schema_id: schemaId, result_labels: ['team', 'tier'] } },
  { kind: 'drop', settings: { drop_labels: ['svc_no'] } },
];

/** A pipeline that rewrites the severity of some services and every title. */
const pipelineRules = [
  {
    kind: 'severity_reset',
    if: [[{ key: 'labels.tier', oper: 'IN', vals: ['gold'] }]],
    settings: { severity: 'Warning' },
  },
  { kind: 'title_reset', settings: { title: '[TPL]{{.Labels.team}}: {{.Title}}' } },
];

type Row = {
  load: string;
  events: number;
  loadS: number;
  drainS: number;
  sustainedPerS: number;
  p99Ms: number;
};

async function variantRuns(target: Target, durationS: number): Promise<Row[]> {
  const env = vigilEnv(target.env);
  const server = await startServer(env);
  try {
    const { app_key: appKey } = JSON.parse(
      await runCli(['account', 'create', '--name', 'Bench', '--email', 'bench@example.com'], env),
    ) as { app_key: string };
    const api = <T>(path: string, body: unknown) => call<T>(server.url, appKey, path, body);
    const team = await api<{ team_id: number }>('/team/upsert', { team_name: 'bench' });
    const channel = await api<{ channel_id: number }>('/channel/create', {
      team_id: team.team_id,
      channel_name: 'variants',
      group: { method: 'p', equals: [['labels.service']] },
    });
    const integration = async (plugin_type: string, name = plugin_type) =>
      api<{ integration_id: number; integration_key: string }>('/datasource/upsert', {
        name,
        plugin_type,
        channel_id: channel.channel_id,
      });
    const { schema_id } = await api<{ schema_id: string }>('/enrichment/mapping/schema/create', {
      schema_name: 'services',
      source_labels: ['service'],
      result_labels: ['team', 'tier'],
    });
    await api('/enrichment/mapping/data/upsert', {
      schema_id,
      docs: Array.from({ length: 50 }, (_, i) => ({
        service: `svc-${i}`,
        team: `team-${i % 7}`,
        tier: i % 3 === 0 ? 'gold' : 'silver',
      })),
    });
    const processed = await integration('alert.standard', 'processed');
    await api('/enrichment/upsert', {
      integration_id: processed.integration_id,
      rules: enrichmentRules(schema_id),
    });
    await api('/alert/pipeline/upsert', { integration_id: processed.integration_id, rules: pipelineRules });

    const rows: Row[] = [];
    const run = async (name: string, path: string, integrationKey: string, body: Body) => {
      log(`${target.name}: ${name}, ${durationS} s`);
      const result = await load({
        name,
        baseUrl: server.url,
        path,
        query: `integration_key=${integrationKey}`,
        connections: CONNECTIONS,
        durationS,
        body,
      });
      const drainS = (await drainMs(server.url)) / 1000;
      const events = ok(result);
      rows.push({
        load: name,
        events,
        loadS: result.durationS,
        drainS,
        sustainedPerS: events / (result.durationS + drainS),
        p99Ms: result.latencyMs.p99,
      });
    };
    const standard = (await integration('alert.standard')).integration_key;
    // A discarded warm-up (JIT, pools, caches), then the plain push first and last: the machine's
    // other load drifts, and the ratios are against the mean of the two.
    await load({
      name: 'warm-up',
      baseUrl: server.url,
      path: '/event/push/alert/standard',
      query: `integration_key=${standard}`,
      connections: CONNECTIONS,
      durationS: Math.min(3, durationS),
      body: vigilBody({ n: 0 }),
    });
    await drainMs(server.url);
    await run('standard push (plain)', '/event/push/alert/standard', standard, vigilBody({ n: 0 }));
    await run(
      'standard push, 5 enrichment rules + pipeline',
      '/event/push/alert/standard',
      processed.integration_key,
      vigilBody({ n: 0 }),
    );
    const grafana = (await integration('alert.grafana')).integration_key;
    await run('Grafana webhook of 1 alert', '/event/push/alert/grafana', grafana, grafanaBody({ n: 0 }));
    const pagerduty = (await integration('alert.pagerduty')).integration_key;
    await run('PagerDuty Events v2', '/event/push/alert/pagerduty', pagerduty, pagerDutyBody({ n: 0 }));
    const prometheus = (await integration('alert.prometheus')).integration_key;
    await run(
      'Alertmanager webhook of 1 alert',
      '/event/push/alert/prometheus',
      prometheus,
      alertmanagerOneBody({ n: 0 }),
    );
    await run('standard push (plain), again', '/event/push/alert/standard', standard, vigilBody({ n: 0 }));
    return rows;
  } finally {
    await server.stop();
  }
}

/** Runs the variants on each target and prints each one's sustained rate against the plain push's. */
export async function runIngestVariants(targets: Array<() => Promise<Target>>, durationS: number) {
  const results = await forEachTarget(targets, async (target) => ({
    target: target.name,
    rows: await variantRuns(target, durationS),
  }));
  const lines = [
    '',
    `| Target | Load (${CONNECTIONS} connections, ${KEYS} keys, every ${RECOVERY_EVERY}th a recovery) | events | drain (s) | sustained/s | × plain (mean of both) | p99 (ms) |`,
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const { target, rows } of results) {
    const plain = (rows[0]!.sustainedPerS + rows.at(-1)!.sustainedPerS) / 2;
    for (const r of rows) {
      lines.push(
        `| ${target} | ${r.load} | ${r.events} | ${r.drainS.toFixed(2)} | ${r.sustainedPerS.toFixed(0)} | ` +
          `${(r.sustainedPerS / plain).toFixed(2)}× | ${r.p99Ms} |`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return results;
}
