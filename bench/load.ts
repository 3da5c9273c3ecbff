import autocannon, { type Request } from 'autocannon';

export const CONNECTIONS = 10;
const PIPELINING = 1;
const JSON_HEADERS = { 'content-type': 'application/json' };
/** Error bodies kept per scenario, to show what went wrong. */
const KEPT_ERRORS = 3;

export type LoadResult = {
  scenario: string;
  path: string;
  durationS: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  non2xx: number;
  /** Socket errors and timeouts (no HTTP answer at all). */
  errors: number;
  statusCodes: Record<string, number>;
  firstErrors: string[];
  /** Server RSS right after the load, in MiB (filled in by the caller). */
  rssAfterMb?: number;
};

export type Scenario = {
  name: string;
  path: string;
  /** A fixed JSON body, or a function returning a new one for every request. */
  body: unknown | (() => unknown);
};

/** Runs one autocannon load against `baseUrl + path?app_key=…` and summarises it. */
export async function runLoad(
  baseUrl: string,
  appKey: string,
  scenario: Scenario,
  durationS: number,
): Promise<LoadResult> {
  const firstErrors: string[] = [];
  const makeBody = typeof scenario.body === 'function' ? (scenario.body as () => unknown) : undefined;
  const request: Request = {
    method: 'POST',
    path: `${scenario.path}?app_key=${encodeURIComponent(appKey)}`,
    headers: JSON_HEADERS,
    body: JSON.stringify(makeBody ? makeBody() : scenario.body),
    onResponse(status, body) {
      if ((status < 200 || status > 299) && firstErrors.length < KEPT_ERRORS)
        firstErrors.push(`${status} ${body}`);
    },
  };
  if (makeBody) request.setupRequest = (req) => ({ ...req, body: JSON.stringify(makeBody()) });
  const result = await autocannon({
    url: baseUrl,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: durationS,
    requests: [request],
  });
  return {
    scenario: scenario.name,
    path: scenario.path,
    durationS: result.duration,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
    ),
    firstErrors,
  };
}

/** One Open API call for setting up data; throws unless Vigil answers 200 with `data`. */
export async function call<T>(baseUrl: string, appKey: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}?app_key=${encodeURIComponent(appKey)}`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST ${path} answered ${response.status}: ${text}`);
  return (JSON.parse(text) as { data: T }).data;
}
