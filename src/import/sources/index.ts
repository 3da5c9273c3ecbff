import type { Dispatcher } from 'undici';
import type { Source, SourceName } from '../model.ts';
import { SourceHttp } from '../source-http.ts';
import { grafanaOncallSource } from './grafana-oncall.ts';
import { opsgenieSource } from './opsgenie.ts';
import { PAGERDUTY_HEADERS, pagerdutySource } from './pagerduty.ts';

/* A source by name: its HTTP client (with its own authorization header) and its reader. */

export type SourceSetup = {
  source: SourceName;
  apiUrl: string;
  token: string;
  now: number;
  dispatcher?: Dispatcher | undefined;
  sleep?: (ms: number) => Promise<void>;
};

export function openSource(setup: SourceSetup): { source: Source; http: SourceHttp } {
  const headers: Record<SourceName, (token: string) => Record<string, string>> = {
    pagerduty: PAGERDUTY_HEADERS,
    opsgenie: (token) => ({ authorization: `GenieKey ${token}` }),
    'grafana-oncall': (token) => ({ authorization: token }),
  };
  const http = new SourceHttp({
    baseUrl: setup.apiUrl,
    headers: headers[setup.source](setup.token),
    dispatcher: setup.dispatcher,
    ...(setup.sleep ? { sleep: setup.sleep } : {}),
  });
  switch (setup.source) {
    case 'pagerduty':
      return { source: pagerdutySource(http, { now: setup.now }), http };
    case 'opsgenie':
      return { source: opsgenieSource(http, { now: setup.now }), http };
    case 'grafana-oncall':
      return { source: grafanaOncallSource(http, { now: setup.now }), http };
  }
}
