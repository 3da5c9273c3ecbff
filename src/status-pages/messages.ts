import type { ChangeWithUpdates, UpdateRow } from './changes.store.ts';
import type { ComponentRow, PageRow } from './pages.store.ts';
import { publicUrlOf } from './status-pages.mapper.ts';

/*
 * What subscribers receive: the double opt-in mail, and for each update of an event an e-mail or a
 * webhook call. Every mail carries a one-click unsubscribe link (RFC 8058 headers as well).
 */

export type Mail = { subject: string; text: string; html: string; headers: Record<string, string> };

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** `partial_outage` → `Partial outage`. */
export function label(status: string): string {
  const words = status.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function unsubscribeUrl(publicUrl: string, page: PageRow, token: string): string {
  return `${publicUrlOf(publicUrl, page)}/unsubscribe?token=${token}`;
}

function confirmUrl(publicUrl: string, page: PageRow, token: string): string {
  return `${publicUrlOf(publicUrl, page)}/subscribe/confirm?token=${token}`;
}

function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** Paragraphs of plain text as HTML (descriptions are Markdown, shown as text). */
function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

export function confirmationMail(page: PageRow, publicUrl: string, token: string): Mail {
  const confirm = confirmUrl(publicUrl, page, token);
  const cancel = unsubscribeUrl(publicUrl, page, token);
  return {
    subject: `Confirm your subscription to ${pageTitle(page)}`,
    text:
      `Someone (hopefully you) asked to receive updates from the ${page.name} status page at this address.\n\n` +
      `Confirm: ${confirm}\n\nIf it was not you, ignore this mail: nothing more will be sent. Remove the request: ${cancel}\n`,
    html:
      `<p>Someone (hopefully you) asked to receive updates from the ${escapeHtml(page.name)} status page at this address.</p>` +
      `<p><a href="${escapeHtml(confirm)}">Confirm the subscription</a></p>` +
      `<p>If it was not you, ignore this mail: nothing more will be sent. <a href="${escapeHtml(cancel)}">Remove the request</a></p>`,
    headers: unsubscribeHeaders(cancel),
  };
}

type UpdateContext = {
  page: PageRow;
  change: ChangeWithUpdates;
  update: UpdateRow;
  components: ReadonlyMap<string, ComponentRow>;
  publicUrl: string;
};

/** The affected components of an event with the status the update leaves them in. */
function componentLines(context: UpdateContext): { name: string; status: string }[] {
  const statuses = new Map<string, string>();
  for (const update of context.change.updates) {
    for (const change of update.component_changes) statuses.set(change.component_id, change.status);
    if (update.update_id === context.update.update_id) break;
  }
  return [...statuses].flatMap(([id, status]) => {
    const component = context.components.get(id);
    return component ? [{ name: component.name, status }] : [];
  });
}

/** The status an event has after this update (an update without status keeps the one before). */
function statusAfter(context: UpdateContext): string {
  let status = '';
  for (const update of context.change.updates) {
    status = update.status ?? status;
    if (update.update_id === context.update.update_id) break;
  }
  return status;
}

export function updateMail(context: UpdateContext, token: string): Mail {
  const { page, change, update, publicUrl } = context;
  const status = label(statusAfter(context));
  const pageUrl = publicUrlOf(publicUrl, page);
  const unsubscribe = unsubscribeUrl(publicUrl, page, token);
  const components = componentLines(context);
  const kind = change.type === 'maintenance' ? 'Maintenance' : 'Incident';
  return {
    subject: `[${page.name}] ${change.title}: ${status}`,
    text:
      `${kind}: ${change.title}\nStatus: ${status}\n\n${update.description}\n\n` +
      (components.length > 0
        ? `Affected components:\n${components.map((c) => `- ${c.name}: ${label(c.status)}`).join('\n')}\n\n`
        : '') +
      `${pageUrl}\n\nUnsubscribe: ${unsubscribe}\n`,
    html:
      `<h1>${escapeHtml(kind)}: ${escapeHtml(change.title)}</h1><p><strong>${escapeHtml(status)}</strong></p>` +
      paragraphs(update.description) +
      (components.length > 0
        ? `<ul>${components.map((c) => `<li>${escapeHtml(c.name)}: ${escapeHtml(label(c.status))}</li>`).join('')}</ul>`
        : '') +
      `<p><a href="${escapeHtml(pageUrl)}">${escapeHtml(pageTitle(page))}</a></p>` +
      `<p><a href="${escapeHtml(unsubscribe)}">Unsubscribe</a></p>`,
    headers: unsubscribeHeaders(unsubscribe),
  };
}

/** The JSON body of a webhook subscriber's call about an update. */
export function updateWebhookBody(context: UpdateContext): string {
  const { page, change, update, publicUrl } = context;
  return JSON.stringify({
    event_type: 'status_page.update',
    page: { page_id: page.page_id, name: page.name, url: publicUrlOf(publicUrl, page) },
    change: {
      change_id: change.change_id,
      type: change.type,
      title: change.title,
      status: statusAfter(context),
      start_at_seconds: change.start_at_seconds,
    },
    update: {
      update_id: update.update_id,
      at_seconds: update.at_seconds,
      status: update.status ?? undefined,
      description: update.description,
    },
    components: componentLines(context),
  });
}

/** "Acme status", but "Acme Status" as it is rather than "Acme Status status". */
export function pageTitle(page: { name: string; page_title: string }): string {
  if (page.page_title) return page.page_title;
  return /\bstatus$/i.test(page.name.trim()) ? page.name.trim() : `${page.name} status`;
}
