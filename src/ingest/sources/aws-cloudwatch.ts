import { invalidParameter } from '../../shared/app-error.ts';
import {
  type AlertEventInput,
  buildAlertEvent,
  type EventStatus,
  type IngestContext,
  shortHash,
} from '../event.ts';
import { isoSeconds } from './common.ts';

/*
 * AWS CloudWatch alarms delivered by SNS over HTTP(S) (docs/sources.md "AWS CloudWatch"). Pure: the
 * SNS message (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html), the text its
 * signature covers (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html),
 * and the alarm state change in a Notification's Message
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
 */

export type SnsMessage = {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  Token?: string;
  SubscribeURL?: string;
  UnsubscribeURL?: string;
};

const TYPES = new Set(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']);
const REQUIRED = [
  'MessageId',
  'TopicArn',
  'Message',
  'Timestamp',
  'SignatureVersion',
  'Signature',
  'SigningCertURL',
];

/**
 * An SNS message from the request body: SNS posts JSON as text/plain, so a string is parsed here.
 * A missing or non-string field is InvalidParameter naming it.
 */
export function parseSnsMessage(raw: unknown): SnsMessage {
  let body = raw;
  if (typeof raw === 'string' || Buffer.isBuffer(raw)) {
    try {
      body = JSON.parse(String(raw));
    } catch {
      throw invalidParameter('request body', 'it is not an SNS message (JSON)');
    }
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidParameter('request body', 'it is not an SNS message (JSON object)');
  }
  const message = body as Record<string, unknown>;
  if (typeof message.Type !== 'string' || !TYPES.has(message.Type)) {
    throw invalidParameter(
      'Type',
      'must be "Notification", "SubscriptionConfirmation" or "UnsubscribeConfirmation"',
    );
  }
  const required = message.Type === 'Notification' ? REQUIRED : [...REQUIRED, 'Token', 'SubscribeURL'];
  for (const field of required) {
    if (typeof message[field] !== 'string' || message[field] === '') {
      throw invalidParameter(field, 'it is required (SNS messages are signed; unsigned ones are refused)');
    }
  }
  for (const field of ['Subject', 'UnsubscribeURL']) {
    if (message[field] !== undefined && message[field] !== null && typeof message[field] !== 'string') {
      throw invalidParameter(field, 'must be a string');
    }
  }
  return message as SnsMessage;
}

/** The text an SNS signature covers: name and value lines of the type's fields, in byte order. */
export function snsStringToSign(message: SnsMessage): string {
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  let text = '';
  for (const field of fields) {
    const value = message[field as keyof SnsMessage];
    if (typeof value === 'string') text += `${field}\n${value}\n`;
  }
  return text;
}

type Alarm = {
  AlarmName?: unknown;
  AlarmDescription?: unknown;
  AWSAccountId?: unknown;
  NewStateValue?: unknown;
  NewStateReason?: unknown;
  OldStateValue?: unknown;
  StateChangeTime?: unknown;
  Region?: unknown;
  AlarmArn?: unknown;
  Trigger?: {
    MetricName?: unknown;
    Namespace?: unknown;
    Statistic?: unknown;
    ComparisonOperator?: unknown;
    Threshold?: unknown;
    Dimensions?: unknown;
  } | null;
};

const STATES: Readonly<Record<string, EventStatus>> = {
  ALARM: 'Critical',
  INSUFFICIENT_DATA: 'Info',
  OK: 'Ok',
};

const text = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : '';

/** The alarm state change of a Notification's Message, as one alert event keyed by the alarm's ARN. */
export function normalizeCloudWatchAlarm(message: SnsMessage, ctx: IngestContext): AlertEventInput {
  let alarm: Alarm;
  try {
    alarm = JSON.parse(message.Message) as Alarm;
  } catch {
    throw invalidParameter('Message', 'it is not a CloudWatch alarm (JSON)');
  }
  if (alarm === null || typeof alarm !== 'object') {
    throw invalidParameter('Message', 'it is not a CloudWatch alarm (JSON object)');
  }
  const state = text(alarm.NewStateValue);
  const status = STATES[state];
  if (!status)
    throw invalidParameter('Message.NewStateValue', 'must be "ALARM", "OK" or "INSUFFICIENT_DATA"');
  const name = text(alarm.AlarmName);
  if (!name) throw invalidParameter('Message.AlarmName', 'it is required');
  const arn = text(alarm.AlarmArn);
  const trigger = alarm.Trigger && typeof alarm.Trigger === 'object' ? alarm.Trigger : {};
  const labels: Record<string, string> = {
    alarm_name: name,
    alarm_arn: arn,
    account_id: text(alarm.AWSAccountId),
    region: text(alarm.Region),
    old_state: text(alarm.OldStateValue),
    new_state: state,
    topic_arn: message.TopicArn,
    metric_name: text(trigger.MetricName),
    namespace: text(trigger.Namespace),
    statistic: text(trigger.Statistic),
    comparison_operator: text(trigger.ComparisonOperator),
    threshold: text(trigger.Threshold),
  };
  if (Array.isArray(trigger.Dimensions)) {
    for (const dimension of trigger.Dimensions.slice(0, 20)) {
      const d = dimension as { name?: unknown; value?: unknown } | null;
      if (d && text(d.name)) labels[`dimension.${text(d.name)}`] = text(d.value);
    }
  }
  for (const [key, value] of Object.entries(labels)) if (value === '') delete labels[key];
  const reason = text(alarm.NewStateReason);
  const description = text(alarm.AlarmDescription);
  const changed = text(alarm.StateChangeTime);
  return buildAlertEvent(
    {
      alertKey:
        arn && arn.length <= 255
          ? { value: arn, derived: false }
          : {
              value: shortHash(['vigil/cloudwatch/v1', labels.account_id ?? '', labels.region ?? '', name]),
              derived: true,
            },
      titleRule: name,
      templated: false,
      description: description ? `${reason}\n\n${description}` : reason,
      status,
      eventTime: changed ? isoSeconds(changed) : undefined,
      labels,
      images: [],
    },
    ctx,
    () => {},
  );
}
