/*
 * Pure logic of the template pages (/template/*): the channel kinds a template has a body for, in
 * words, and the update body from the editor's state. docs/notifications.md.
 */

export const TEMPLATE_CHANNELS = [
  { key: 'email', label: 'E-mail', hint: 'the message (its subject is fixed)' },
  { key: 'sms', label: 'SMS', hint: 'plain text, keep it short' },
  { key: 'voice', label: 'Voice call', hint: 'read aloud' },
  { key: 'slack', label: 'Slack bot', hint: 'Slack mrkdwn' },
  { key: 'slack_app', label: 'Slack app', hint: 'Slack mrkdwn' },
  { key: 'teams_app', label: 'Teams app', hint: 'Markdown' },
  { key: 'telegram', label: 'Telegram', hint: 'Markdown' },
  { key: 'zoom', label: 'Zoom', hint: 'plain text' },
  { key: 'feishu', label: 'Feishu bot', hint: 'Markdown' },
  { key: 'feishu_app', label: 'Feishu app', hint: 'Markdown' },
  { key: 'dingtalk', label: 'DingTalk bot', hint: 'Markdown' },
  { key: 'dingtalk_app', label: 'DingTalk app', hint: 'Markdown' },
  { key: 'wecom', label: 'WeCom bot', hint: 'Markdown' },
  { key: 'wecom_app', label: 'WeCom app', hint: 'Markdown' },
] as const;

export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number]['key'];

export type TemplateInfo = {
  template_id: string;
  template_name: string;
  description: string;
  team_id: number;
  updated_at: number;
} & Record<TemplateChannel, string>;

export type TemplateForm = { name: string; description: string; bodies: Record<TemplateChannel, string> };

export const DEFAULT_TEMPLATE_ID = '000000000000000000000001';

export function templateToForm(info: TemplateInfo): TemplateForm {
  return {
    name: info.template_name,
    description: info.description,
    bodies: Object.fromEntries(TEMPLATE_CHANNELS.map((c) => [c.key, info[c.key] ?? ''])) as Record<
      TemplateChannel,
      string
    >,
  };
}

/** The body of /template/update: every channel, an empty one meaning "use the default template's". */
export function templateUpdateBody(id: string, form: TemplateForm, teamId: number) {
  return {
    template_id: id,
    template_name: form.name.trim(),
    description: form.description,
    ...(teamId ? { team_id: teamId } : {}),
    ...form.bodies,
  };
}

/** Which body a preview renders: the template's own, or the default template's when it leaves the channel empty. */
export function previewSource(
  form: TemplateForm,
  channel: TemplateChannel,
  defaults: Partial<Record<TemplateChannel, string>> | undefined,
): { content: string; fromDefault: boolean } {
  const own = form.bodies[channel];
  if (own.trim() !== '') return { content: own, fromDefault: false };
  return { content: defaults?.[channel] ?? '', fromDefault: true };
}
