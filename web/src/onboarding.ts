import { api } from './api.ts';

/*
 * The Get started checklist: what a new account still lacks before Vigil can page someone, read
 * from the account's own objects (so it stays true when things are set up elsewhere: the API, the
 * CLI, an import). Only the end-to-end test and "hide the checklist" are this browser's memory.
 */

export type StepId = 'source' | 'people' | 'schedule' | 'escalation' | 'test';

export type Step = { id: StepId; title: string; why: string; href: string; action: string; done: boolean };

export type Facts = {
  alertIntegrations: number;
  members: number;
  schedules: number;
  channelsWithRules: number;
  testedEndToEnd: boolean;
};

/** The checklist's steps in the order a team sets them up. */
export function stepsOf(facts: Facts): Step[] {
  return [
    {
      id: 'source',
      title: 'Connect a monitoring source',
      why: 'Alerts from Prometheus, Grafana, PagerDuty-style senders or a plain HTTP push.',
      href: '/integrations',
      action: 'Add an integration',
      done: facts.alertIntegrations > 0,
    },
    {
      id: 'people',
      title: 'Invite your team',
      why: 'Everyone who may be on call needs a member, with an e-mail or phone to be reached on.',
      href: '/members',
      action: 'Invite people',
      done: facts.members > 1,
    },
    {
      id: 'schedule',
      title: 'Make an on-call schedule',
      why: 'Who is on call when, so an escalation reaches the person on duty.',
      href: '/schedules',
      action: 'Create a schedule',
      done: facts.schedules > 0,
    },
    {
      id: 'escalation',
      title: 'Escalate to the right people',
      why: 'A channel with an escalation rule says whom its incidents notify, and after how long the next layer.',
      href: '/channels',
      action: 'Set up a channel',
      done: facts.channelsWithRules > 0,
    },
    {
      id: 'test',
      title: 'Page yourself with a test alert',
      why: 'Send an alert through an integration and watch it open an incident and notify you.',
      href: '/get-started#test',
      action: 'Send a test alert',
      done: facts.testedEndToEnd,
    },
  ];
}

type Scope = { account_id: number; member_id: number };

const key = (scope: Scope, what: 'tested' | 'hidden') =>
  `vigil.get-started.${what}.${scope.account_id}.${scope.member_id}`;

function remembered(scope: Scope, what: 'tested' | 'hidden'): boolean {
  try {
    return localStorage.getItem(key(scope, what)) === '1';
  } catch {
    return false;
  }
}

function remember(scope: Scope, what: 'tested' | 'hidden', value: boolean): void {
  try {
    if (value) localStorage.setItem(key(scope, what), '1');
    else localStorage.removeItem(key(scope, what));
  } catch {
    // storage refused (private mode): the checklist just shows again next time
  }
}

export const isHidden = (scope: Scope) => remembered(scope, 'hidden');
export const setHidden = (scope: Scope, hidden: boolean) => remember(scope, 'hidden', hidden);
export const markTested = (scope: Scope) => remember(scope, 'tested', true);

/** How many channels to look into for an escalation rule: a new account has a handful. */
const CHANNELS_CHECKED = 10;

/** Reads the facts the steps depend on; a list the member may not read counts as not done. */
export async function loadFacts(scope: Scope): Promise<Facts> {
  const count = (promise: Promise<{ total?: number; items?: unknown[] }>) =>
    promise.then((page) => page.total ?? page.items?.length ?? 0).catch(() => 0);
  const channelsWithRules = api
    .post<{ items: { channel_id: number }[] }>('/channel/list', { limit: CHANNELS_CHECKED, is_brief: true })
    .then(async (page) => {
      const rules = await Promise.all(
        page.items.map((c) =>
          api
            .post<{ items: unknown[] }>('/channel/escalate/rule/list', { channel_id: c.channel_id })
            .then((r) => r.items.length)
            .catch(() => 0),
        ),
      );
      return rules.filter((n) => n > 0).length;
    })
    .catch(() => 0);
  const [alertIntegrations, members, schedules, withRules] = await Promise.all([
    count(api.post('/datasource/list', { limit: 1, category: 'event.alert' })),
    count(api.post('/member/list', { limit: 2 })),
    count(api.post('/schedule/list', { limit: 1 })),
    channelsWithRules,
  ]);
  return {
    alertIntegrations,
    members,
    schedules,
    channelsWithRules: withRules,
    testedEndToEnd: remembered(scope, 'tested'),
  };
}

/** A standard event with a key of its own, so every test opens a new alert and pages again. */
export function testAlertBody(memberName: string, now: Date = new Date()) {
  return {
    event_status: 'Warning',
    alert_key: `vigil-get-started-${now.getTime()}`,
    title_rule: `Test alert from ${memberName} (Get started)`,
    description:
      'Sent from the Get started page to check that Vigil reaches you. Resolve it when you are done.',
    labels: { source: 'get-started' },
  };
}
