import { createHash } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { Db } from '../db/db.ts';
import type { AlertEventInput } from '../ingest/event.ts';
import { guardedDispatcher } from '../notifications/providers/outbound-guard.ts';
import type { OutboundAllow } from '../notifications/providers/outbound-policy.ts';
import { postJson } from '../notifications/providers/webhook.ts';
import { TtlCache } from '../shared/ttl-cache.ts';
import type { Lookup } from './enrichment.ts';

/*
 * Calls of mapping APIs from the applier (docs/processing.md, "Mapping APIs"). A call sits on the
 * apply path, so it is bounded and never blocks ingestion: a timeout of the API's own 1–3 s, at
 * most one retry, answers cached for a minute (identical events ask once), and after a failure the
 * API is skipped for 30 s, so a dead API costs one timeout per half minute, not one per batch.
 * Every failure is an answer (`{error}`): the event goes on unenriched and its feed says why.
 */

type Executor = Db['q'];

export type ApiEvent = AlertEventInput & { accountId: number; integrationId: number };

type ApiRow = {
  api_id: string;
  api_name: string;
  url: string;
  headers: Record<string, string>;
  timeout: number;
  retry_count: number;
};

const CONFIG_TTL_MS = 1_000;
const ANSWER_TTL_MS = 60_000;
const SKIP_AFTER_FAILURE_MS = 30_000;
const MAX_ANSWER_BYTES = 64 * 1024;

export class MappingApis {
  readonly #configs = new TtlCache<string, ApiRow | undefined>(CONFIG_TTL_MS);
  readonly #answers = new TtlCache<string, Lookup>(ANSWER_TTL_MS);
  readonly #failedAt = new Map<string, { at: number; error: string }>();
  readonly #dispatcher: Dispatcher;

  constructor(allow: OutboundAllow) {
    this.#dispatcher = guardedDispatcher(allow);
  }

  clear(): void {
    this.#configs.clear();
    this.#answers.clear();
    this.#failedAt.clear();
  }

  async call(q: Executor, apiId: string, event: ApiEvent, resultLabels: readonly string[]): Promise<Lookup> {
    const api = await this.#configs.get(apiId, () =>
      q
        .selectFrom('mapping_apis')
        .select(['api_id', 'api_name', 'url', 'headers', 'timeout', 'retry_count'])
        .where('api_id', '=', apiId)
        .executeTakeFirst(),
    );
    if (!api) return { error: `mapping API ${apiId} no longer exists; labels left unenriched` };
    const failed = this.#failedAt.get(apiId);
    if (failed && Date.now() - failed.at < SKIP_AFTER_FAILURE_MS) {
      return {
        error: `mapping API '${api.api_name}' skipped: it failed less than 30 s ago (${failed.error}); labels left unenriched`,
      };
    }
    const body = JSON.stringify({
      result_label_keys: resultLabels,
      event: {
        account_id: event.accountId,
        data_source_id: event.integrationId,
        title: event.title,
        description: event.description,
        alert_key: event.alertKey,
        event_severity: event.severity,
        event_status: event.status,
        event_time: event.eventTime,
        labels: event.labels,
      },
    });
    const key = createHash('sha256')
      .update(apiId)
      .update('\0')
      .update(body.replace(/"event_time":\d+,/, ''))
      .digest('hex');
    const answer = await this.#answers
      .get(key, () => this.#ask(api, body))
      .catch((e: unknown): Lookup => ({ error: e instanceof LookupFailed ? e.message : String(e) }));
    if ('error' in answer) {
      this.#failedAt.set(apiId, { at: Date.now(), error: answer.error });
      return { error: `mapping API '${api.api_name}' failed: ${answer.error}; labels left unenriched` };
    }
    return answer;
  }

  async #ask(api: ApiRow, body: string): Promise<Lookup> {
    const timeoutMs = Math.min(Math.max(api.timeout, 1), 3) * 1000;
    let error = '';
    for (let attempt = 0; attempt <= Math.min(api.retry_count, 1); attempt++) {
      const result = await postJson(
        api.url,
        { 'content-type': 'application/json', 'user-agent': 'Vigil-Enrichment/1', ...api.headers },
        body,
        { timeoutMs, maxResponseBytes: MAX_ANSWER_BYTES, dispatcher: this.#dispatcher },
      );
      if (result.statusCode === 404) return { labels: {} };
      if (result.ok) return parseAnswer(result.responseBody);
      error = result.error;
      if (result.refused) break;
    }
    // Failures are not kept as answers: the 30 s skip covers them, and a recovered API is asked again.
    throw new LookupFailed(error);
  }
}

class LookupFailed extends Error {}

function parseAnswer(text: string): Lookup {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'the answer is not JSON' };
  }
  const labels = (parsed as { result_labels?: unknown })?.result_labels;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    return { error: 'the answer has no result_labels object' };
  }
  return {
    labels: Object.fromEntries(
      Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
  };
}
