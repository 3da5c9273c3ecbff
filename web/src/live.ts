import { useEffect, useRef, useState } from 'react';

/*
 * Live updates (docs/console.md): one EventSource per tab on GET /console/events, shared by the
 * pages that listen. The server names the incidents of the account that changed; a page reloads
 * what it shows when one of them concerns it. While the stream is down (refused, reconnecting,
 * an old proxy) pages poll instead, and the stream is tried again.
 */

export type LiveStatus = 'connecting' | 'live' | 'polling';
type Listener = { changed(ids: string[]): void; ready(): void; status(status: LiveStatus): void };

const RETRY_MS = 30_000;
/**
 * Reloads of one page are at least this far apart, so an alert storm (an incident changing every
 * second) costs each open page a reload every 2 s, not every second, against the account's rate
 * limit; a single change still shows within about a second.
 */
const MIN_INTERVAL_MS = 2000;
const listeners = new Set<Listener>();
let source: EventSource | undefined;
let status: LiveStatus = 'connecting';
let retrying = false;
let closeTimer: ReturnType<typeof setTimeout> | undefined;

function setStatus(next: LiveStatus): void {
  status = next;
  for (const l of listeners) l.status(next);
}

function connect(): void {
  if (source || typeof EventSource === 'undefined') {
    if (!source) setStatus('polling');
    return;
  }
  const es = new EventSource('/console/events');
  source = es;
  es.addEventListener('ready', () => {
    setStatus('live');
    for (const l of listeners) l.ready();
  });
  es.addEventListener('incidents', (event) => {
    let ids: string[] = [];
    try {
      ids = (JSON.parse((event as MessageEvent<string>).data) as { incident_ids: string[] }).incident_ids;
    } catch {
      return;
    }
    for (const l of listeners) l.changed(ids);
  });
  es.addEventListener('signed-out', () => disconnect());
  es.onerror = () => {
    // Reconnecting (the browser retries by itself) or refused for good (CLOSED): poll meanwhile.
    setStatus('polling');
    if (es.readyState === EventSource.CLOSED) {
      source = undefined;
      if (!retrying) {
        retrying = true;
        setTimeout(() => {
          retrying = false;
          if (listeners.size > 0) connect();
        }, RETRY_MS);
      }
    }
  };
}

function disconnect(): void {
  source?.close();
  source = undefined;
  setStatus('polling');
}

function listen(listener: Listener): () => void {
  listeners.add(listener);
  if (closeTimer) clearTimeout(closeTimer);
  closeTimer = undefined;
  connect();
  listener.status(status);
  return () => {
    listeners.delete(listener);
    // Kept a moment, so moving from one page to another does not reconnect.
    if (listeners.size === 0) {
      closeTimer = setTimeout(() => {
        if (listeners.size > 0) return;
        source?.close();
        source = undefined;
        status = 'connecting';
      }, 2000);
    }
  };
}

/**
 * Calls `refresh` when an incident it cares about changes (`concerns`; every change when absent),
 * when the stream (re)connects, and every `pollMs` while the stream is down and the tab visible.
 * Reloads are coalesced: at most one at a time, one more if changes came meanwhile, and at least
 * MIN_INTERVAL_MS apart.
 */
export function useLiveRefresh(
  refresh: () => Promise<void>,
  options: { pollMs: number; concerns?: (ids: string[]) => boolean },
): LiveStatus {
  const [live, setLive] = useState<LiveStatus>(status);
  const latest = useRef({ refresh, concerns: options.concerns });
  latest.current = { refresh, concerns: options.concerns };

  useEffect(() => {
    let running = false;
    let again = false;
    let stopped = false;
    let lastChange = 0;
    let changed = false;
    const run = async (byChange: boolean) => {
      changed ||= byChange;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          if (changed) {
            // During a storm of changes, one reload per MIN_INTERVAL_MS: the first at once.
            const wait = lastChange + MIN_INTERVAL_MS - Date.now();
            if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
            if (stopped) break;
            lastChange = Date.now();
            changed = false;
          }
          await latest.current.refresh();
        } while (again && !stopped);
      } finally {
        running = false;
      }
    };
    let timer: ReturnType<typeof setInterval> | undefined;
    const poll = (on: boolean) => {
      if (on && !timer) {
        timer = setInterval(() => {
          if (document.visibilityState === 'visible') void run(false);
        }, options.pollMs);
      } else if (!on && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    };
    const unlisten = listen({
      changed(ids) {
        const concerns = latest.current.concerns;
        if (!concerns || concerns(ids)) void run(true);
      },
      ready() {
        void run(false);
      },
      status(next) {
        setLive(next);
        poll(next !== 'live');
      },
    });
    return () => {
      stopped = true;
      poll(false);
      unlisten();
    };
  }, [options.pollMs]);

  return live;
}
