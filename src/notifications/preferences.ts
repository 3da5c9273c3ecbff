import type { Severity } from '../db/schema.ts';

/*
 * Personal notification preferences and contact methods (docs/notifications.md). A member's
 * contact methods are the ones Flashduty's member has: `email` and `phone` (+ `country_code`).
 * Preferences say, per incident severity, which channels to use (legacy /preference/*:
 * `trigger_notify` {critical, warning, info}); an escalation either follows them
 * (`follow_preference`) or names its own per-severity lists. This module is pure.
 */

export type SeverityChannels = { critical: string[]; warning: string[]; info: string[] };

/** Used for a person who never saved preferences. */
export const DEFAULT_TRIGGER_NOTIFY: SeverityChannels = {
  critical: ['email', 'sms', 'voice'],
  warning: ['email', 'sms'],
  info: ['email'],
};

/** A member's contact methods. */
export type Contact = {
  personId: number;
  email: string;
  phone: string;
  countryCode: string;
  /** Only enabled members are notified. */
  status: string;
};

/** How an escalation step says to reach people: Flashduty's `by`. */
export type NotifyBy = { follow_preference?: boolean } & Partial<SeverityChannels>;

/** What the deployment can deliver: e-mail needs SMTP, SMS and voice the phone gateway. */
export type Capabilities = { email: boolean; phone: boolean };

/** What this deployment's configuration can deliver. */
export function deliveryCapabilities(config: {
  smtpUrl?: string | undefined;
  phoneProviderUrl?: string | undefined;
}): Capabilities {
  return { email: config.smtpUrl !== undefined, phone: config.phoneProviderUrl !== undefined };
}

export type ResolvedChannel =
  | { channel: 'email'; target: { address: string } }
  | { channel: 'sms' | 'voice'; target: { phone: string; country_code: string } };

export type Resolution = {
  personId: number;
  channels: ResolvedChannel[];
  /** Channels asked for but not usable, with why. */
  skipped: { channel: string; reason: string }[];
  /** True when the person cannot be reached at all: nobody will be paged through them. */
  unreachable: boolean;
};

const EMAIL = /^[^\s@]+@[^\s@]+$/;

function asked(severity: Severity, lists: Partial<SeverityChannels>): string[] {
  const key = severity.toLowerCase() as keyof SeverityChannels;
  return lists[key] ?? [];
}

/**
 * The channels to reach a person on for an incident of this severity: the escalation's own lists,
 * or the person's preferences when it follows them (or names no channel for the severity), kept
 * to the channels the person has a contact method for and the deployment can deliver.
 */
export function resolveChannels(
  contact: Contact,
  severity: Severity,
  preference: SeverityChannels | undefined,
  by: NotifyBy | undefined,
  capabilities: Capabilities,
): Resolution {
  const own = by && !by.follow_preference ? asked(severity, by) : [];
  const wanted = own.length > 0 ? own : asked(severity, preference ?? DEFAULT_TRIGGER_NOTIFY);
  const channels: ResolvedChannel[] = [];
  const skipped: Resolution['skipped'] = [];
  const skip = (channel: string, reason: string) => skipped.push({ channel, reason });
  if (contact.status !== 'enabled') {
    for (const channel of wanted) skip(channel, `the member is ${contact.status}`);
    return { personId: contact.personId, channels, skipped, unreachable: true };
  }
  for (const channel of new Set(wanted)) {
    if (channel === 'email') {
      if (!EMAIL.test(contact.email)) skip(channel, 'the member has no e-mail address');
      else if (!capabilities.email) skip(channel, 'e-mail is not configured (SMTP_URL)');
      else channels.push({ channel, target: { address: contact.email } });
    } else if (channel === 'sms' || channel === 'voice') {
      if (!/\d/.test(contact.phone)) skip(channel, 'the member has no phone number');
      else if (!capabilities.phone) skip(channel, 'SMS and voice are not configured (PHONE_PROVIDER_URL)');
      else channels.push({ channel, target: { phone: contact.phone, country_code: contact.countryCode } });
    } else {
      skip(channel, 'Vigil does not deliver to this channel yet');
    }
  }
  // Asked for nothing usable: fall back to e-mail, which every member has, before giving up.
  if (channels.length === 0 && EMAIL.test(contact.email) && capabilities.email) {
    channels.push({ channel: 'email', target: { address: contact.email } });
  }
  return { personId: contact.personId, channels, skipped, unreachable: channels.length === 0 };
}
