import Type, { type Static } from 'typebox';
import { MAX_LABEL_KEY_LENGTH } from '../alerts/conditions.ts';
import { codePointLength, truncateCodePoints } from '../alerts/truncate.ts';
import type { ChangeStatus } from '../db/schema.ts';
import { eventTimeSeconds } from '../ingest/event.ts';
import { invalidParameter } from '../shared/app-error.ts';

/*
 * The change push body (`POST /event/push/change/standard`, seed 002) and its normalisation into a
 * ChangeEventInput. Pure: time comes in as `nowSeconds`.
 *
 * Unlike the alert push, a change event is stored as sent or not at all: every limit is a refusal
 * (InvalidParameter naming the field), never a truncation. docs/changes.md gives the reasons.
 */

export const CHANGE_STATUSES = ['Planned', 'Ready', 'Processing', 'Canceled', 'Done'] as const;

/** Statuses that end a change: they set its end_time. */
export const TERMINAL_STATUSES: ReadonlySet<ChangeStatus> = new Set(['Canceled', 'Done']);

export const CHANGE_LIMITS = {
  changeKey: 255,
  title: 512,
  description: 2048,
  link: 2048,
  labels: 50,
  labelKey: MAX_LABEL_KEY_LENGTH,
  labelValue: 512,
  /** How far past now a non-Ready event may be (the sender's clock may run ahead), seconds. */
  clockSkewSeconds: 300,
  /** How far ahead a Ready event may announce its start, seconds (366 days). */
  readyAheadSeconds: 366 * 86_400,
} as const;

export const ChangePushBody = Type.Object({
  change_status: Type.Enum([...CHANGE_STATUSES]),
  change_key: Type.String({ minLength: 1, maxLength: CHANGE_LIMITS.changeKey }),
  title: Type.String({ minLength: 1, maxLength: CHANGE_LIMITS.title }),
  event_time: Type.Optional(Type.Integer({ minimum: 0 })),
  description: Type.Optional(Type.String({ maxLength: CHANGE_LIMITS.description })),
  link: Type.Optional(Type.String({ maxLength: CHANGE_LIMITS.link })),
  labels: Type.Optional(
    Type.Record(Type.String(), Type.String({ maxLength: CHANGE_LIMITS.labelValue }), {
      maxProperties: CHANGE_LIMITS.labels,
    }),
  ),
});

export type ChangePush = Static<typeof ChangePushBody>;

/** One change event as stored: validated, labels in key order, the time in Unix seconds. */
export type ChangeEventInput = {
  changeKey: string;
  status: ChangeStatus;
  title: string;
  description: string;
  link: string;
  labels: Record<string, string>;
  eventTime: number;
};

const CONTROL_OR_SPACE = /[\s\p{Cc}]/u;

/** A key shown in a message: at most 40 code points. */
function preview(text: string): string {
  const cut = truncateCodePoints(text, 40);
  return JSON.stringify(cut === text ? text : `${cut}…`);
}

function checkLength(field: string, value: string, min: number, max: number): void {
  const length = codePointLength(value);
  if (length < min) throw invalidParameter(field, `must not be empty`);
  if (length > max) throw invalidParameter(field, `must not be longer than ${max} characters`);
}

function checkLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const entries = Object.entries(labels);
  if (entries.length > CHANGE_LIMITS.labels) {
    throw invalidParameter('labels', `must not have more than ${CHANGE_LIMITS.labels} labels`);
  }
  for (const [key, value] of entries) {
    if (key === '') throw invalidParameter('labels', 'a label key must not be empty');
    if (codePointLength(key) > CHANGE_LIMITS.labelKey) {
      throw invalidParameter(
        'labels',
        `the label key ${preview(key)} is longer than ${CHANGE_LIMITS.labelKey} characters`,
      );
    }
    if (typeof value !== 'string') throw invalidParameter(`labels.${key}`, 'must be string');
    checkLength(`labels.${key}`, value, 0, CHANGE_LIMITS.labelValue);
  }
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return Object.fromEntries(entries);
}

/** An absolute http(s) URL without spaces or control characters. */
function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text) && !CONTROL_OR_SPACE.test(text) && URL.canParse(text);
}

/**
 * The event time in Unix seconds: absent or 0 is now, milliseconds (or finer) are scaled down as
 * for alerts. Only a Ready event may lie in the future (up to 366 days); any other may be at most
 * a few minutes ahead of this server's clock.
 */
function changeEventTime(status: ChangeStatus, value: number | undefined, nowSeconds: number): number {
  const eventTime = eventTimeSeconds(value, nowSeconds);
  if (status === 'Ready') {
    if (eventTime > nowSeconds + CHANGE_LIMITS.readyAheadSeconds) {
      throw invalidParameter('event_time', 'a Ready event may be at most 366 days in the future');
    }
  } else if (eventTime > nowSeconds + CHANGE_LIMITS.clockSkewSeconds) {
    throw invalidParameter(
      'event_time',
      `it is ${eventTime - nowSeconds} seconds in the future; only a Ready event may be in the future`,
    );
  }
  return eventTime;
}

/**
 * A change push, checked against every limit. Throws InvalidParameter naming the first offending
 * field; the body's JSON types were checked by ChangePushBody (a direct caller gets the same checks).
 */
export function normalizeChangeEvent(body: ChangePush, nowSeconds: number): ChangeEventInput {
  if (!(CHANGE_STATUSES as readonly string[]).includes(body.change_status)) {
    throw invalidParameter('change_status', `must be one of ${CHANGE_STATUSES.join(', ')}`);
  }
  checkLength('change_key', body.change_key, 1, CHANGE_LIMITS.changeKey);
  checkLength('title', body.title, 1, CHANGE_LIMITS.title);
  if (body.title.trim() === '') throw invalidParameter('title', 'must not be blank');
  const description = body.description ?? '';
  checkLength('description', description, 0, CHANGE_LIMITS.description);
  const link = body.link ?? '';
  checkLength('link', link, 0, CHANGE_LIMITS.link);
  if (link !== '' && !isHttpUrl(link)) {
    throw invalidParameter('link', 'must be an absolute http:// or https:// URL');
  }
  return {
    changeKey: body.change_key,
    status: body.change_status,
    title: body.title,
    description,
    link,
    labels: checkLabels(body.labels ?? {}),
    eventTime: changeEventTime(body.change_status, body.event_time, nowSeconds),
  };
}
