/*
 * The template every account has: used when an escalation names no template, and for any channel a
 * template leaves empty. Its id is fixed (docs/notifications.md); it cannot be changed or deleted.
 */

export const DEFAULT_TEMPLATE_ID = '000000000000000000000001';
export const DEFAULT_TEMPLATE_NAME = 'Default';

/** The per-channel bodies a template has, as Flashduty names them. */
export const TEMPLATE_CHANNELS = [
  'email',
  'sms',
  'voice',
  'dingtalk',
  'wecom',
  'feishu',
  'feishu_app',
  'dingtalk_app',
  'wecom_app',
  'slack_app',
  'teams_app',
  'telegram',
  'slack',
  'zoom',
] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

const STATUS_LINE =
  '{{if eq .Progress "Closed"}}Resolved{{else if eq .Progress "Processing"}}Acknowledged{{else}}Triggered{{end}}';

const PLAIN = `[${STATUS_LINE}] [{{.IncidentSeverity}}] {{.Title}}
{{- if .ChannelName}}
Channel: {{.ChannelName}}{{end}}
Started: {{date "2006-01-02 15:04:05 MST" .StartTime .TimeZone}}
{{- range $k, $v := .Labels}}
{{$k}}: {{$v}}{{end}}
{{- if .ResponderNames}}
Responders: {{join ", " .ResponderNames}}{{end}}
{{- if .RelatedChange}}
Related change: {{.RelatedChange.Title}} ({{.RelatedChange.Status}}){{if .RelatedChange.Link}} {{.RelatedChange.Link}}{{end}}{{end}}
{{.DetailUrl}}`;

const MARKDOWN = `**[${STATUS_LINE}] [{{.IncidentSeverity}}] {{.Title}}**
{{- if .Description}}

{{.Description}}{{end}}

- Channel: {{default "none" .ChannelName}}
- Started: {{date "2006-01-02 15:04:05 MST" .StartTime .TimeZone}}
{{- range $k, $v := .Labels}}
- {{$k}}: {{$v}}{{end}}
{{- if .ResponderNames}}
- Responders: {{join ", " .ResponderNames}}{{end}}
{{- if .RelatedChange}}
- Related change: {{if .RelatedChange.Link}}[{{.RelatedChange.Title}}]({{.RelatedChange.Link}}){{else}}{{.RelatedChange.Title}}{{end}} ({{.RelatedChange.Status}}){{end}}

[View incident #{{.Num}}]({{.DetailUrl}})`;

const SLACK = `*[${STATUS_LINE}] [{{.IncidentSeverity}}] {{.Title}}*
{{- if .Description}}
{{.Description}}{{end}}
Channel: {{default "none" .ChannelName}} · Started: {{date "2006-01-02 15:04:05 MST" .StartTime .TimeZone}}
{{- range $k, $v := .Labels}}
• {{$k}}: {{$v}}{{end}}
{{- if .RelatedChange}}
Related change: {{if .RelatedChange.Link}}<{{.RelatedChange.Link}}|{{.RelatedChange.Title}}>{{else}}{{.RelatedChange.Title}}{{end}} ({{.RelatedChange.Status}}){{end}}
<{{.DetailUrl}}|View incident #{{.Num}}>`;

const EMAIL = `<h2>[${STATUS_LINE}] [{{.IncidentSeverity}}] {{html .Title}}</h2>
{{- if .Description}}
<p>{{html .Description}}</p>{{end}}
<table>
<tr><td>Channel</td><td>{{html (default "none" .ChannelName)}}</td></tr>
<tr><td>Started</td><td>{{date "2006-01-02 15:04:05 MST" .StartTime .TimeZone}}</td></tr>
<tr><td>Alerts</td><td>{{.ActiveAlertCnt}} active of {{.AlertCnt}}</td></tr>
{{- range $k, $v := .Labels}}
<tr><td>{{html $k}}</td><td>{{html $v}}</td></tr>{{end}}
{{- if .RelatedChange}}
<tr><td>Related change</td><td>{{if .RelatedChange.Link}}<a href="{{html .RelatedChange.Link}}">{{html .RelatedChange.Title}}</a>{{else}}{{html .RelatedChange.Title}}{{end}} ({{.RelatedChange.Status}})</td></tr>{{end}}
</table>
<p><a href="{{.DetailUrl}}">View incident #{{.Num}}</a></p>`;

const SMS = `[Vigil] [{{.IncidentSeverity}}] {{.Title}} #{{.Num}} {{.DetailUrl}}`;

const VOICE = `Vigil incident, severity {{.IncidentSeverity}}: {{.Title}}.`;

export const DEFAULT_BODIES: Record<TemplateChannel, string> = {
  email: EMAIL,
  sms: SMS,
  voice: VOICE,
  dingtalk: MARKDOWN,
  wecom: MARKDOWN,
  feishu: PLAIN,
  feishu_app: MARKDOWN,
  dingtalk_app: MARKDOWN,
  wecom_app: MARKDOWN,
  slack_app: SLACK,
  teams_app: MARKDOWN,
  telegram: PLAIN,
  slack: SLACK,
  zoom: PLAIN,
};

/** The subject of notification e-mails (not part of Flashduty's template fields). */
export const EMAIL_SUBJECT = `[${STATUS_LINE}] [{{.IncidentSeverity}}] {{.Title}}`;
