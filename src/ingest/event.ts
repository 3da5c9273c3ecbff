import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { MAX_LABEL_KEY_LENGTH } from '../alerts/conditions.ts';
import { MAX_TITLE_LENGTH, renderTitleRule } from '../alerts/title-rule.ts';
import { codePointLength, truncateCodePoints } from '../alerts/truncate.ts';
import type { ProcessingNote } from '../processing/notes.ts';

/*
 * The normalised alert event every push adapter produces, the standard push body, and the limits
 * every adapter applies the same way (flashduty-api.md §2.1, §3.1 "Limits"; docs/ingest.md).
 * Pure: time comes in through the context.
 *
 * Over-long text is truncated where Flashduty truncates (title_rule, description, label values,
 * image alt and href); what cannot be kept is dropped with a warning (invalid label keys, labels
 * beyond 50, images with a bad src, repeated image alts) — an alert is never lost over its labels
 * or images. Only what Flashduty refuses is refused, by the schema (alert_key over 255).
 */

export const INGEST_LIMITS = {
  titleRule: MAX_TITLE_LENGTH,
  description: 2048,
  alertKey: 255,
  labels: 50,
  labelKey: MAX_LABEL_KEY_LENGTH,
  labelValue: 2048,
  images: 100,
  imageSrc: 256,
  imageAlt: 128,
  imageHref: 256,
} as const;

export type EventStatus = 'Critical' | 'Warning' | 'Info' | 'Ok';
export type EventSeverity = Exclude<EventStatus, 'Ok'>;
export type EventImage = { src: string; alt: string; href: string };

export type AlertEventInput = {
  alertKey: string;
  /** True when Vigil made the key (the push carried none). */
  alertKeyDerived: boolean;
  titleRule: string;
  title: string;
  description: string;
  status: EventStatus;
  /** The status, except for Ok: then 'Info' as a placeholder; the processor keeps the alert's severity. */
  severity: EventSeverity;
  /** Unix seconds. */
  eventTime: number;
  labels: Record<string, string>;
  images: EventImage[];
  /** What enrichment and the alert pipeline did, added when the event is applied (src/processing/). */
  processing?: ProcessingNote[];
  /**
   * Absent: the event is applied to its alert. 'acknowledge' (PagerDuty's event_action): no alert
   * changes; the incident of the key's open alert is acknowledged (src/ingest/apply/acknowledge.ts).
   */
  action?: 'acknowledge';
};

export type IngestContext = {
  integrationId: number;
  integrationType: string;
  integrationName: string;
  nowSeconds: number;
};

const StringMap = Type.Record(Type.String(), Type.String());

export const StandardPushBody = Type.Object({
  event_status: Type.Enum(['Critical', 'Warning', 'Info', 'Ok']),
  // No maxLength: an over-long title_rule is truncated, not refused.
  title_rule: Type.String({ minLength: 1 }),
  alert_key: Type.Optional(Type.String({ maxLength: INGEST_LIMITS.alertKey })),
  event_time: Type.Optional(Type.Integer({ minimum: 0 })),
  description: Type.Optional(Type.String()),
  labels: Type.Optional(StringMap),
  images: Type.Optional(
    Type.Array(
      Type.Object({
        src: Type.String(),
        alt: Type.Optional(Type.String()),
        href: Type.Optional(Type.String()),
      }),
      { maxItems: INGEST_LIMITS.images },
    ),
  ),
});

export type StandardPush = Static<typeof StandardPushBody>;

type Warn = (message: string) => void;

/** A key or value shown in a warning: at most 40 code points. */
function preview(text: string): string {
  const cut = truncateCodePoints(text, 40);
  return JSON.stringify(cut === text ? text : `${cut}…`);
}

function truncated(text: string, max: number, what: string, warn: Warn): string {
  const cut = truncateCodePoints(text, max);
  if (cut !== text) warn(`${what} was truncated to ${max} characters`);
  return cut;
}

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Labels within the limits: a key that is empty or longer than 128 characters is dropped, values
 * are cut to 2048 characters, and of more than `max` labels the first `max` in key order are kept.
 * The result is in key order. Idempotent.
 */
export function normalizeLabels(
  labels: Readonly<Record<string, string>>,
  warn: Warn,
  field = 'labels',
  max: number = INGEST_LIMITS.labels,
): Record<string, string> {
  const valid: [string, string][] = [];
  for (const [key, value] of Object.entries(labels)) {
    if (key === '') {
      warn(`${field}: a label with an empty key was dropped`);
    } else if (key.length > INGEST_LIMITS.labelKey && codePointLength(key) > INGEST_LIMITS.labelKey) {
      warn(
        `${field}: label ${preview(key)} was dropped: its key is longer than ${INGEST_LIMITS.labelKey} characters`,
      );
    } else {
      valid.push([key, value]);
    }
  }
  valid.sort(byKey);
  if (valid.length > max) {
    const dropped = valid.length - max;
    warn(
      `${field}: ${dropped} label${dropped === 1 ? ' was' : 's were'} dropped: ` +
        `only the first ${max} in key order are kept (at most ${INGEST_LIMITS.labels} labels)`,
    );
    valid.length = max;
  }
  return Object.fromEntries(
    valid.map(([key, value]) => [
      key,
      // A string holds at least as many UTF-16 units as code points: most values need no count.
      value.length <= INGEST_LIMITS.labelValue
        ? value
        : truncated(value, INGEST_LIMITS.labelValue, `${field}.${truncateCodePoints(key, 40)}`, warn),
    ]),
  );
}

const CONTROL_OR_SPACE = /[\s\p{Cc}]/u;

/** An absolute http(s) URL without spaces or control characters. */
function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text) && !CONTROL_OR_SPACE.test(text) && URL.canParse(text);
}

/** An uploaded image key: not empty, no spaces, control characters or `:` (no scheme), not `//host`. */
const isUploadKey = (text: string): boolean =>
  text !== '' && !CONTROL_OR_SPACE.test(text) && !text.includes(':') && !text.startsWith('//');

type RawImage = { src: string; alt?: string | undefined; href?: string | undefined };

/**
 * Images within the limits: a src longer than 256 characters, or neither an http(s) URL nor an
 * upload key, drops the image; alt is cut to 128 and href to 256 characters, an href that is not an
 * http(s) URL is removed; of images with the same (non-empty) alt the first is kept.
 */
function normalizeImages(images: readonly RawImage[], warn: Warn, field = 'images'): EventImage[] {
  const kept: EventImage[] = [];
  const alts = new Set<string>();
  images.forEach((image, i) => {
    const at = `${field}[${i}]`;
    if (codePointLength(image.src) > INGEST_LIMITS.imageSrc) {
      warn(`${at} was dropped: src is longer than ${INGEST_LIMITS.imageSrc} characters`);
      return;
    }
    if (!isHttpUrl(image.src) && !isUploadKey(image.src)) {
      warn(`${at} was dropped: src must be an http(s) URL or an uploaded image key`);
      return;
    }
    const alt = truncated(image.alt ?? '', INGEST_LIMITS.imageAlt, `${at}.alt`, warn);
    if (alt !== '' && alts.has(alt)) {
      warn(`${at} was dropped: an earlier image has the same alt ${preview(alt)}`);
      return;
    }
    alts.add(alt);
    let href = image.href ?? '';
    if (href !== '' && !isHttpUrl(href)) {
      warn(`${at}.href was removed: it is not an http(s) URL`);
      href = '';
    }
    kept.push({ src: image.src, alt, href: truncated(href, INGEST_LIMITS.imageHref, `${at}.href`, warn) });
  });
  return kept;
}

/** Times above 10^11 (the year 5138 in seconds) are taken as milliseconds (or finer) and scaled down. */
const LATEST_SECONDS = 1e11;

/**
 * An event time in Unix seconds: absent, zero, negative or not finite → `nowSeconds`; a value in
 * milliseconds (or micro-, nanoseconds) is divided by 1000 until it is a plausible seconds value.
 */
export function eventTimeSeconds(value: number | undefined, nowSeconds: number): number {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return nowSeconds;
  let seconds = value;
  while (seconds > LATEST_SECONDS) seconds /= 1000;
  return Math.floor(seconds);
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHORT_HASH_LENGTH = 22;

/**
 * A 22-character base62 digest (the shape of Flashduty's generated keys) of a JSON value: the first
 * 128 bits of its SHA-256, so equal inputs always give equal keys.
 */
export function shortHash(value: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(value)).digest();
  let n = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`);
  let out = '';
  for (let i = 0; i < SHORT_HASH_LENGTH; i++) {
    out = BASE62[Number(n % 62n)]! + out;
    n /= 62n;
  }
  return out;
}

/** Labels as sorted [key, value] pairs, the canonical form hashed into derived keys. */
export const sortedLabelPairs = (labels: Readonly<Record<string, string>>): [string, string][] =>
  Object.entries(labels).sort(byKey);

/** The key of a push without alert_key: the same integration, title_rule and labels give the same key. */
export function derivedAlertKey(
  integrationId: number,
  titleRule: string,
  labels: Readonly<Record<string, string>>,
): string {
  return shortHash(['vigil/alert_key/v1', integrationId, titleRule, sortedLabelPairs(labels)]);
}

/** What an adapter extracted from its payload, before the common limits are applied. */
export type EventDraft = {
  /** Absent: derived from (integration, title_rule, labels) after truncation. */
  alertKey?: { value: string; derived: boolean } | undefined;
  titleRule: string;
  /** True: the title is the rendered title_rule; false: the title_rule is already the concrete title. */
  templated: boolean;
  description: string;
  status: EventStatus;
  eventTime: number | undefined;
  labels: Readonly<Record<string, string>>;
  images: readonly RawImage[];
};

/** Applies the limits every adapter shares and renders the title. `field` prefixes warnings. */
export function buildAlertEvent(
  draft: EventDraft,
  ctx: IngestContext,
  warn: Warn,
  field = '',
): AlertEventInput {
  const titleRule = truncated(draft.titleRule, INGEST_LIMITS.titleRule, `${field}title_rule`, warn);
  const description = truncated(draft.description, INGEST_LIMITS.description, `${field}description`, warn);
  const labels = normalizeLabels(draft.labels, warn, `${field}labels`);
  const images = normalizeImages(draft.images, warn, `${field}images`);
  const alertKey = draft.alertKey ?? {
    value: derivedAlertKey(ctx.integrationId, titleRule, labels),
    derived: true,
  };
  const severity: EventSeverity = draft.status === 'Ok' ? 'Info' : draft.status;
  const title = draft.templated
    ? renderTitleRule(titleRule, {
        labels,
        description,
        severity,
        status: draft.status,
        alertKey: alertKey.value,
        integrationType: ctx.integrationType,
        integrationName: ctx.integrationName,
      })
    : titleRule;
  return {
    alertKey: alertKey.value,
    alertKeyDerived: alertKey.derived,
    titleRule,
    title,
    description,
    status: draft.status,
    severity,
    eventTime: eventTimeSeconds(draft.eventTime, ctx.nowSeconds),
    labels,
    images,
  };
}

/** The event of a standard push (`POST /event/push/alert/standard`), validated by StandardPushBody. */
export function normalizeStandardEvent(
  body: StandardPush,
  ctx: IngestContext,
): { event: AlertEventInput; warnings: string[] } {
  const warnings: string[] = [];
  const event = buildAlertEvent(
    {
      // An empty alert_key is no key (Go's zero value): it is derived like an absent one.
      alertKey: body.alert_key ? { value: body.alert_key, derived: false } : undefined,
      titleRule: body.title_rule,
      templated: true,
      description: body.description ?? '',
      status: body.event_status,
      eventTime: body.event_time,
      labels: body.labels ?? {},
      images: body.images ?? [],
    },
    ctx,
    (message) => warnings.push(message),
  );
  return { event, warnings };
}
