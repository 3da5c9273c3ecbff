import { type Dispatcher, fetch } from 'undici';

/*
 * A reader of Atlassian Statuspage's REST API v1 (https://developer.statuspage.io): `Authorization:
 * OAuth <api key>`, lists paged with `page` (from 1) and `per_page`. Only what a migration reads.
 */

export type StatuspageClient = {
  /** STATUSPAGE_API_URL, e.g. https://api.statuspage.io/v1 (no trailing slash). */
  apiUrl: string;
  apiKey: string;
  /** guardedDispatcher(OUTBOUND_ALLOW). */
  dispatcher: Dispatcher;
  timeoutMs: number;
};

/** Why a read failed, in words the status operation shows. */
export class StatuspageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatuspageError';
  }
}

export type SpPage = {
  id: string;
  name: string;
  subdomain?: string | null;
  page_description?: string | null;
};

export type SpComponent = {
  id: string;
  name: string;
  description?: string | null;
  position?: number | null;
  group?: boolean | null;
  group_id?: string | null;
  only_show_if_degraded?: boolean | null;
};

export type SpGroup = { id: string; name: string; description?: string | null; position?: number | null };

export type SpAffectedComponent = { code: string; new_status?: string | null };

export type SpIncidentUpdate = {
  id: string;
  status: string;
  body?: string | null;
  created_at: string;
  display_at?: string | null;
  affected_components?: SpAffectedComponent[] | null;
};

export type SpIncident = {
  id: string;
  name: string;
  status: string;
  impact?: string | null;
  created_at: string;
  started_at?: string | null;
  resolved_at?: string | null;
  scheduled_for?: string | null;
  scheduled_until?: string | null;
  incident_updates?: SpIncidentUpdate[] | null;
  /** The components the incident affects. */
  components?: { id: string }[] | null;
};

export type SpSubscriber = {
  id: string;
  email?: string | null;
  components?: (string | { id: string })[] | null;
};

/** Items asked for per page (Statuspage's largest). */
const PER_PAGE = 100;
/** A guard against a server that never returns a short page. */
const MAX_PAGES = 1_000;

async function get(client: StatuspageClient, path: string): Promise<unknown> {
  let response: Awaited<ReturnType<typeof fetch>>;
  try {
    response = await fetch(`${client.apiUrl}${path}`, {
      headers: { authorization: `OAuth ${client.apiKey}`, accept: 'application/json' },
      signal: AbortSignal.timeout(client.timeoutMs),
      dispatcher: client.dispatcher,
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new StatuspageError(`could not reach Statuspage (${client.apiUrl}): ${cause}`);
  }
  const text = await response.text().catch(() => '');
  if (response.status === 401 || response.status === 403) {
    throw new StatuspageError(`Statuspage refused the API key (HTTP ${response.status})`);
  }
  if (response.status === 404) throw new StatuspageError(`Statuspage answered 404 for ${path.split('?')[0]}`);
  if (!response.ok)
    throw new StatuspageError(`Statuspage answered HTTP ${response.status} for ${path.split('?')[0]}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new StatuspageError(`Statuspage's answer to ${path.split('?')[0]} is not JSON`);
  }
}

const enc = encodeURIComponent;

export async function readPage(client: StatuspageClient, pageId: string): Promise<SpPage> {
  const page = (await get(client, `/pages/${enc(pageId)}`)) as SpPage;
  if (!page || typeof page.id !== 'string' || typeof page.name !== 'string') {
    throw new StatuspageError(`Statuspage's page ${pageId} has no id or name`);
  }
  return page;
}

/** Every item of a paged list: pages of PER_PAGE until a shorter one. */
async function readAll<T>(client: StatuspageClient, path: string, query = ''): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    const batch = await get(client, `${path}?${query}${query ? '&' : ''}page=${page}&per_page=${PER_PAGE}`);
    if (!Array.isArray(batch)) throw new StatuspageError(`Statuspage's answer to ${path} is not a list`);
    items.push(...(batch as T[]));
    if (batch.length < PER_PAGE) return items;
  }
  throw new StatuspageError(`Statuspage's ${path} has more than ${MAX_PAGES} pages`);
}

export const readComponents = (client: StatuspageClient, pageId: string) =>
  readAll<SpComponent>(client, `/pages/${enc(pageId)}/components`);

export const readGroups = (client: StatuspageClient, pageId: string) =>
  readAll<SpGroup>(client, `/pages/${enc(pageId)}/component-groups`);

/** Incidents and scheduled maintenances alike (a maintenance has `scheduled_for`). */
export const readIncidents = (client: StatuspageClient, pageId: string) =>
  readAll<SpIncident>(client, `/pages/${enc(pageId)}/incidents`);

export const readEmailSubscribers = (client: StatuspageClient, pageId: string) =>
  readAll<SpSubscriber>(client, `/pages/${enc(pageId)}/subscribers`, 'type=email&state=active');
