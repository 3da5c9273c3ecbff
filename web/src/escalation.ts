/*
 * Pure logic of the escalation-rule editor: the API's rule JSON (/channel/escalate/rule/*) to the
 * editor's form state and back, hints that name the same fields the API would, the priority
 * changes that reorder a channel's rules, and the heads-up check in words. docs/escalation.md.
 */

import { DEFAULT_TEMPLATE_ID } from './templates.ts';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type SeverityKey = (typeof SEVERITIES)[number];

/** Personal channels the rule may name (`by.<severity>`), as the API spells them. */
export const PERSONAL_CHANNELS = [
  { value: 'email', label: 'E-mail' },
  { value: 'sms', label: 'SMS' },
  { value: 'voice', label: 'Voice call' },
  { value: 'push', label: 'App push' },
  { value: 'feishu', label: 'Feishu' },
  { value: 'dingtalk', label: 'DingTalk' },
  { value: 'wecom', label: 'WeCom' },
  { value: 'slack', label: 'Slack' },
  { value: 'teams', label: 'Teams' },
] as const;

/** Group-chat kinds of `webhooks[].type`. */
export const WEBHOOK_TYPES = [
  'feishu',
  'dingtalk',
  'wecom',
  'slack',
  'teams',
  'telegram',
  'zoom',
  'custom',
  'feishu_app',
  'dingtalk_app',
  'wecom_app',
  'slack_app',
  'teams_app',
] as const;

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/* ---- the API's shapes ---- */

export type ApiBy = { follow_preference: boolean; critical: string[]; warning: string[]; info: string[] };
export type ApiWebhook = { type: string; settings: Record<string, unknown> };
export type ApiTarget = {
  person_ids: number[];
  team_ids: number[];
  schedule_to_role_ids: Record<string, number[]>;
  emails: string[];
  by?: ApiBy;
  webhooks?: ApiWebhook[];
};
export type ApiLayer = {
  max_times: number;
  notify_step: number;
  escalate_window: number;
  force_escalate: boolean;
  target: ApiTarget;
};
export type ApiTimeFilter = { start: string; end: string; repeat: number[]; cal_id: string; is_off: boolean };
export type ApiCondition = { key: string; oper: 'IN' | 'NOTIN'; vals: string[] };
export type ApiRule = {
  rule_id: string;
  channel_id: number;
  rule_name: string;
  description: string;
  priority: number;
  aggr_window: number;
  template_id: string;
  status: 'enabled' | 'disabled';
  layers: ApiLayer[];
  time_filters: ApiTimeFilter[];
  filters: ApiCondition[][];
  updated_at: number;
};

/* ---- the editor's form state ---- */

export type WebhookForm = {
  type: string;
  url: string;
  secret: string;
  token: string;
  chatId: string;
  /** Settings the editor has no field for (e.g. a custom webhook's headers), kept as they were. */
  other: Record<string, unknown>;
};
export type ScheduleForm = { scheduleId: string; roleIds: string[] };
export type LayerForm = {
  personIds: string[];
  teamIds: string[];
  schedules: ScheduleForm[];
  emails: string;
  /** How people are told: their own preferences, or the channels given per severity. */
  notifyPeople: boolean;
  followPreference: boolean;
  by: Record<SeverityKey, string[]>;
  webhooks: WebhookForm[];
  maxTimes: number;
  notifyStep: number;
  escalateWindow: number;
  forceEscalate: boolean;
};
export type WindowForm = { start: string; end: string; days: number[]; calId: string; isOff: boolean };
export type ConditionForm = { key: string; oper: 'IN' | 'NOTIN'; vals: string };
export type RuleForm = {
  name: string;
  description: string;
  enabled: boolean;
  priority: number;
  aggrWindow: number;
  templateId: string;
  layers: LayerForm[];
  windows: WindowForm[];
  /** OR of AND groups. */
  filters: ConditionForm[][];
};

export function emptyLayer(): LayerForm {
  return {
    personIds: [],
    teamIds: [],
    schedules: [],
    emails: '',
    notifyPeople: true,
    followPreference: true,
    by: { critical: [], warning: [], info: [] },
    webhooks: [],
    maxTimes: 1,
    notifyStep: 10,
    escalateWindow: 30,
    forceEscalate: false,
  };
}

export function emptyWebhook(): WebhookForm {
  return { type: 'slack', url: '', secret: '', token: '', chatId: '', other: {} };
}

export function emptyWindow(): WindowForm {
  return { start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5], calId: '', isOff: false };
}

export function emptyCondition(): ConditionForm {
  return { key: 'severity', oper: 'IN', vals: '' };
}

export function emptyRule(): RuleForm {
  return {
    name: '',
    description: '',
    enabled: true,
    priority: 0,
    aggrWindow: 0,
    templateId: DEFAULT_TEMPLATE_ID,
    layers: [emptyLayer()],
    windows: [],
    filters: [],
  };
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

function webhookToForm(webhook: ApiWebhook): WebhookForm {
  const { url, secret, token, chat_id: chatId, ...other } = webhook.settings;
  return {
    type: webhook.type,
    url: str(url),
    secret: str(secret),
    token: str(token),
    chatId: str(chatId),
    other,
  };
}

function webhookToApi(webhook: WebhookForm): ApiWebhook {
  const settings: Record<string, unknown> = { ...webhook.other };
  if (webhook.type === 'telegram') {
    settings.token = webhook.token.trim();
    settings.chat_id = webhook.chatId.trim();
  } else {
    settings.url = webhook.url.trim();
    if (webhook.secret.trim()) settings.secret = webhook.secret.trim();
  }
  return { type: webhook.type, settings };
}

/** A stored rule as the editor's state. */
export function ruleToForm(rule: ApiRule): RuleForm {
  return {
    name: rule.rule_name,
    description: rule.description,
    enabled: rule.status === 'enabled',
    priority: rule.priority,
    aggrWindow: rule.aggr_window,
    templateId: rule.template_id,
    layers: rule.layers.map((layer) => {
      const t = layer.target;
      return {
        personIds: t.person_ids.map(String),
        teamIds: t.team_ids.map(String),
        schedules: Object.entries(t.schedule_to_role_ids).map(([scheduleId, roleIds]) => ({
          scheduleId,
          roleIds: roleIds.map(String),
        })),
        emails: t.emails.join(', '),
        notifyPeople: t.by !== undefined,
        followPreference: t.by?.follow_preference ?? true,
        by: { critical: t.by?.critical ?? [], warning: t.by?.warning ?? [], info: t.by?.info ?? [] },
        webhooks: (t.webhooks ?? []).map(webhookToForm),
        maxTimes: layer.max_times,
        notifyStep: layer.notify_step,
        escalateWindow: layer.escalate_window,
        forceEscalate: layer.force_escalate,
      };
    }),
    windows: rule.time_filters.map((w) => ({
      start: w.start,
      end: w.end,
      days: [...w.repeat],
      calId: w.cal_id,
      isOff: w.is_off,
    })),
    filters: rule.filters.map((group) =>
      group.map((c) => ({ key: c.key, oper: c.oper, vals: c.vals.join(', ') })),
    ),
  };
}

/** "a, b,, c" → ["a", "b", "c"]. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export type RuleBody = {
  rule_name: string;
  description: string;
  priority: number;
  aggr_window: number;
  template_id: string;
  layers: ApiLayer[];
  time_filters: ApiTimeFilter[];
  filters: ApiCondition[][];
};

/** The editor's state as the body of /channel/escalate/rule/create (or /update with rule_id). */
export function formToBody(form: RuleForm): RuleBody {
  return {
    rule_name: form.name.trim(),
    description: form.description.trim(),
    priority: form.priority,
    aggr_window: form.aggrWindow,
    template_id: form.templateId,
    layers: form.layers.map((layer) => {
      const target: ApiTarget = {
        person_ids: layer.personIds.map(Number),
        team_ids: layer.teamIds.map(Number),
        schedule_to_role_ids: Object.fromEntries(
          layer.schedules
            .filter((s) => s.scheduleId !== '')
            .map((s) => [s.scheduleId, s.roleIds.map(Number)]),
        ),
        emails: splitList(layer.emails),
      };
      if (layer.notifyPeople) {
        target.by = layer.followPreference
          ? { follow_preference: true, critical: [], warning: [], info: [] }
          : { follow_preference: false, ...layer.by };
      }
      if (layer.webhooks.length > 0) target.webhooks = layer.webhooks.map(webhookToApi);
      return {
        max_times: layer.maxTimes,
        notify_step: layer.notifyStep,
        escalate_window: layer.escalateWindow,
        force_escalate: layer.forceEscalate,
        target,
      };
    }),
    time_filters: form.windows.map((w) => ({
      start: w.start,
      end: w.end,
      repeat: [...w.days].sort((a, b) => a - b),
      cal_id: w.calId.trim(),
      is_off: w.calId.trim() !== '' && w.isOff,
    })),
    filters: form.filters
      .map((group) => group.map((c) => ({ key: c.key.trim(), oper: c.oper, vals: splitList(c.vals) })))
      .filter((group) => group.length > 0),
  };
}

export type Hint = { field: string; message: string };

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * What the API would refuse, found before sending, each naming the API's field. The server still
 * decides; these only save a round trip and say it next to the input.
 */
export function ruleHints(form: RuleForm): Hint[] {
  const hints: Hint[] = [];
  const name = form.name.trim();
  if (name === '') hints.push({ field: 'rule_name', message: 'Give the rule a name.' });
  else if (name.length > 39) hints.push({ field: 'rule_name', message: 'At most 39 characters.' });
  if (form.description.length > 500) hints.push({ field: 'description', message: 'At most 500 characters.' });
  if (form.layers.length === 0) hints.push({ field: 'layers', message: 'Add at least one layer.' });
  form.layers.forEach((layer, i) => {
    const at = `layers[${i}]`;
    const nobody =
      layer.personIds.length === 0 &&
      layer.teamIds.length === 0 &&
      layer.schedules.every((s) => s.scheduleId === '') &&
      splitList(layer.emails).length === 0;
    if (nobody) {
      hints.push({
        field: `${at}.target`,
        message: 'Name somebody: a person, a team, a schedule or an e-mail.',
      });
    }
    if (!layer.notifyPeople && layer.webhooks.length === 0) {
      hints.push({ field: `${at}.target.by`, message: 'Notify people, or add a group chat, or both.' });
    }
    if (layer.notifyPeople && !layer.followPreference && layer.webhooks.length === 0) {
      const any = SEVERITIES.some((s) => layer.by[s].length > 0);
      if (!any) hints.push({ field: `${at}.target.by`, message: 'Pick channels for at least one severity.' });
    }
    layer.webhooks.forEach((w, j) => {
      if (w.type === 'telegram') {
        if (!w.token.trim() || !w.chatId.trim())
          hints.push({
            field: `${at}.target.webhooks[${j}]`,
            message: 'Telegram needs a bot token and a chat id.',
          });
      } else if (!/^https?:\/\//i.test(w.url.trim())) {
        hints.push({
          field: `${at}.target.webhooks[${j}].settings.url`,
          message: 'Give the http(s) URL of the chat bot.',
        });
      }
    });
    if (!(layer.maxTimes >= 0 && layer.maxTimes <= 6 && Number.isInteger(layer.maxTimes)))
      hints.push({ field: `${at}.max_times`, message: 'Repeat 0 to 6 times.' });
    if (!(layer.notifyStep >= 0.5 && layer.notifyStep <= 120 && Number.isInteger(layer.notifyStep * 2)))
      hints.push({ field: `${at}.notify_step`, message: '0.5 to 120 minutes, in steps of 0.5.' });
    if (!(layer.escalateWindow >= 0 && layer.escalateWindow <= 720 && Number.isInteger(layer.escalateWindow)))
      hints.push({ field: `${at}.escalate_window`, message: '0 to 720 whole minutes.' });
  });
  form.windows.forEach((w, i) => {
    if (!HHMM.test(w.start))
      hints.push({ field: `time_filters[${i}].start`, message: 'HH:MM, 00:00 to 23:59.' });
    if (!HHMM.test(w.end) && w.end !== '24:00')
      hints.push({ field: `time_filters[${i}].end`, message: 'HH:MM, 00:00 to 24:00.' });
    if (w.isOff && w.calId.trim() === '')
      hints.push({
        field: `time_filters[${i}].cal_id`,
        message: 'Pick the calendar whose days off this window uses.',
      });
  });
  form.filters.forEach((group, i) => {
    group.forEach((c, j) => {
      if (c.key.trim() === '')
        hints.push({ field: `filters[${i}][${j}].key`, message: 'Name what to compare.' });
      if (splitList(c.vals).length === 0)
        hints.push({ field: `filters[${i}][${j}].vals`, message: 'Give at least one value.' });
    });
  });
  return hints;
}

/** The hint for one field, if any. */
export function hintFor(hints: readonly Hint[], field: string): string | undefined {
  return hints.find((h) => h.field === field)?.message;
}

/**
 * Priorities that put the rule at `from` at position `to` of `rules` (listed in evaluation order):
 * every rule gets its position as its priority, and only the rules whose priority changes are
 * returned, so ties made by equal priorities are broken too.
 */
export function reorderPriorities(
  rules: readonly { rule_id: string; priority: number }[],
  from: number,
  to: number,
): { rule_id: string; priority: number }[] {
  if (from === to || to < 0 || to >= rules.length) return [];
  const order = [...rules];
  const [moved] = order.splice(from, 1);
  order.splice(to, 0, moved!);
  return order
    .map((rule, index) => ({ rule_id: rule.rule_id, priority: index, was: rule.priority }))
    .filter((r) => r.priority !== r.was)
    .map(({ rule_id, priority }) => ({ rule_id, priority }));
}

/** The time-window list in words: "Mon–Fri 09:00–18:00", "every day 22:00–06:00 (next day)". */
export function describeWindow(w: ApiTimeFilter | WindowForm, calendarName?: (id: string) => string): string {
  const days = 'repeat' in w ? w.repeat : w.days;
  const calId = 'cal_id' in w ? w.cal_id : w.calId;
  const isOff = 'is_off' in w ? w.is_off : w.isOff;
  const sorted = [...days].sort((a, b) => a - b);
  let dayText = 'every day';
  if (sorted.length > 0 && sorted.length < 7) {
    const contiguous = sorted.every((d, i) => i === 0 || d === sorted[i - 1]! + 1);
    dayText =
      contiguous && sorted.length > 2
        ? `${WEEKDAYS[sorted[0]!]}–${WEEKDAYS[sorted[sorted.length - 1]!]}`
        : sorted.map((d) => WEEKDAYS[d]).join(', ');
  }
  const overnight = w.end <= w.start && !(w.start === '00:00' && w.end === '00:00');
  const time =
    w.start === '00:00' && (w.end === '00:00' || w.end === '24:00') ? 'all day' : `${w.start}–${w.end}`;
  let text = `${dayText} ${time}${overnight ? ' (into the next day)' : ''}`;
  if (calId) {
    const name = calendarName ? calendarName(calId) : calId;
    text += isOff ? `, on days off in ${name}` : `, on workdays in ${name}`;
  }
  return text;
}

export type HeadsUpWarning = { kind: string; [key: string]: unknown };
export type HeadsUpItem = {
  rule_id: string;
  rule_name: string;
  layer_idx: number;
  warnings: HeadsUpWarning[];
};

export type Names = {
  person(id: number): string;
  team(id: number): string;
  schedule(id: number): string;
  time(seconds: number): string;
};

/**
 * A person's reasons ("email: e-mail is not configured (SMTP_URL)", "sms: the member has no phone
 * number") in words without the channel codes: "e-mail is not configured (SMTP_URL); Bob has no
 * phone number". The same reason for several channels is said once.
 */
function unreachableReasons(reasons: unknown, person: string): string[] {
  const list = Array.isArray(reasons) ? reasons.filter((r): r is string => typeof r === 'string') : [];
  return [...new Set(list.map((r) => r.replace(/^[a-z_]+: /, '').replace(/^the member /, `${person} `)))];
}

/** One heads-up warning as a sentence. */
export function describeWarning(w: HeadsUpWarning, names: Names): string {
  switch (w.kind) {
    case 'person_unreachable': {
      const person = names.person(Number(w.person_id));
      const reasons = unreachableReasons(w.reasons, person);
      return `${person} cannot be reached${reasons.length ? `: ${reasons.join('; ')}` : ''}.`;
    }
    case 'team_empty':
      return `Team ${names.team(Number(w.team_id))} has no members.`;
    case 'schedule_missing':
      return `Schedule ${names.schedule(Number(w.schedule_id))} does not exist any more.`;
    case 'schedule_gap': {
      const gaps = Array.isArray(w.gaps) ? (w.gaps as { start: number; end: number }[]) : [];
      // At paging time the warning names no window: nobody was on call then.
      if (gaps.length === 0)
        return `Nobody was on call in schedule ${names.schedule(Number(w.schedule_id))}.`;
      const shown = gaps.slice(0, 3).map((g) => `${names.time(g.start)} to ${names.time(g.end)}`);
      const more = gaps.length > 3 ? ` and ${gaps.length - 3} more` : '';
      return `Nobody is on call in schedule ${names.schedule(Number(w.schedule_id))} from ${shown.join(', ')}${more}.`;
    }
    case 'email_unconfigured':
      return `E-mail is not set up on this server, so ${(w.emails as string[] | undefined)?.join(', ') ?? 'the addresses'} will not be told.`;
    case 'nobody':
      return `Nobody was notified: ${typeof w.reason === 'string' ? w.reason : 'the target reaches no one'}.`;
    case 'chat_undeliverable':
      return `The ${String(w.type)} chat will not be told: ${String(w.reason)}.`;
    default:
      return `${w.kind.replaceAll('_', ' ')}${typeof w.reason === 'string' ? `: ${w.reason}` : ''}.`;
  }
}
