import autocannon, { type Request, type Result } from 'autocannon';

export const CONNECTIONS = 10;
const PIPELINING = 1;
const JSON_HEADERS = { 'content-type': 'application/json' };
/** Error bodies kept per load, to show what went wrong. */
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

export type LoadOptions = {
  name: string;
  baseUrl: string;
  /** The path, reported; `query` (not reported, it may hold a key) is appended to it. */
  path: string;
  query?: string;
  connections: number;
  durationS: number;
  /** Requests per second over all connections; unset: each connection sends as fast as answered. */
  overallRate?: number;
  /**
   * The JSON body text, fixed or made anew for every request; `context` belongs to the connection
   * (one request in flight on each) and is handed to `onResponse` with the answer.
   */
  body: string | ((context: Record<string, unknown>) => string);
  /** Sees every answer (after the non-2xx ones are noted). */
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
};

/** Runs one autocannon load (POST, JSON) and summarises it. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const firstErrors: string[] = [];
  const { body, onResponse } = options;
  const request: Request = {
    method: 'POST',
    path: `${options.path}${options.query ? `?${options.query}` : ''}`,
    headers: JSON_HEADERS,
    onResponse(status, text, context) {
      if ((status < 200 || status > 299) && firstErrors.length < KEPT_ERRORS)
        firstErrors.push(`${status} ${text}`);
      onResponse?.(status, text, context);
    },
  };
  // autocannon builds every request (the first too) through setupRequest, just before sending it.
  if (typeof body === 'function') request.setupRequest = (req, context) => ({ ...req, body: body(context) });
  else request.body = body;
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    pipelining: PIPELINING,
    duration: options.durationS,
    requests: [request],
    // autocannon's correction for coordinated omission at a fixed rate assumes a 1 ms interval
    // between requests (Math.ceil(1 / rate)) and pads every answer of L ms with L - 1 made-up
    // samples; the latencies reported here are those actually measured.
    ...(options.overallRate ? { overallRate: options.overallRate, ignoreCoordinatedOmission: true } : {}),
  });
  return summarise(options.name, options.path, result, firstErrors);
}

/** An autocannon result as the benches report it. */
export function summarise(scenario: string, path: string, result: Result, firstErrors: string[]): LoadResult {
  return {
    scenario,
    path,
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

/** One Open API scenario against `baseUrl + path?app_key=…`, CONNECTIONS connections. */
export function runLoad(
  baseUrl: string,
  appKey: string,
  scenario: Scenario,
  durationS: number,
): Promise<LoadResult> {
  const makeBody = typeof scenario.body === 'function' ? (scenario.body as () => unknown) : undefined;
  return load({
    name: scenario.name,
    baseUrl,
    path: scenario.path,
    query: `app_key=${encodeURIComponent(appKey)}`,
    connections: CONNECTIONS,
    durationS,
    body: makeBody ? () => JSON.stringify(makeBody()) : JSON.stringify(scenario.body),
  });
}

/** Prints the loads that saw a non-2xx answer or a socket error; returns how many there were. */
export function reportFailures(loads: Array<{ label: string; load: LoadResult }>): number {
  const failed = loads.filter(({ load: l }) => l.non2xx > 0 || l.errors > 0);
  for (const { label, load: l } of failed) {
    process.stderr.write(
      `\n${label} ${l.scenario}: ${l.non2xx} non-2xx, ${l.errors} errors; status codes ` +
        `${JSON.stringify(l.statusCodes)}; first error bodies:\n${l.firstErrors.map((e) => `  ${e}`).join('\n')}\n`,
    );
  }
  return failed.length;
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
