import { RE2JS } from 're2js';
import type { EmailSettings } from '../../integrations/source-settings.ts';
import { type AlertEventInput, buildAlertEvent, type IngestContext, shortHash } from '../event.ts';

/*
 * An e-mail integration's message → one alert event (docs/sources.md "E-mail"). Pure: the SMTP
 * listener (../email/inbound-smtp.ts) parses the message and hands over its parts.
 *
 * The subject is the title, the text body the description. A subject matching one of the
 * integration's recovery patterns (RE2, checked when saved) is a recovery; every match of those
 * patterns is cut from the subject before it becomes the alert key, so "RECOVERY: disk full on
 * db-1" recovers the alert of "disk full on db-1".
 */

export type InboundMail = {
  subject: string;
  text: string;
  from: string;
  messageId: string;
  /** Unix seconds of the Date header, if any. */
  date: number | undefined;
};

const NO_SUBJECT = '(no subject)';

/** The subject with every match of the patterns cut out and spaces collapsed. */
function keySubject(subject: string, patterns: readonly RE2JS[]): string {
  let text = subject;
  for (const re of patterns) text = re.matcher(text).replaceAll('');
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

export function normalizeEmail(
  mail: InboundMail,
  settings: EmailSettings,
  ctx: IngestContext,
): AlertEventInput {
  const subject = mail.subject.trim() || NO_SUBJECT;
  // Patterns were checked (size, syntax) by source-settings.ts when the integration was saved.
  const patterns = settings.recovery_patterns.map((p) => RE2JS.compile(p));
  const recovered = patterns.some((re) => re.matcher(subject).find());
  return buildAlertEvent(
    {
      alertKey: { value: shortHash(['vigil/email/v1', keySubject(subject, patterns)]), derived: true },
      titleRule: subject,
      templated: false,
      description: mail.text.trim(),
      status: recovered ? 'Ok' : settings.severity,
      eventTime: mail.date,
      labels: {
        ...(mail.from ? { from: mail.from } : {}),
        ...(mail.messageId ? { message_id: mail.messageId } : {}),
      },
      images: [],
    },
    ctx,
    () => {},
  );
}
