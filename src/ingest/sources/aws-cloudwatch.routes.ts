import { createVerify } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import Type from 'typebox';
import { type Dispatcher, fetch } from 'undici';
import type { Config } from '../../config/config.ts';
import { guardedDispatcher } from '../../notifications/providers/outbound-guard.ts';
import { AppError, invalidParameter } from '../../shared/app-error.ts';
import { ingestContext, type PushRoute } from '../ingest.routes.ts';
import {
  normalizeCloudWatchAlarm,
  parseSnsMessage,
  type SnsMessage,
  snsStringToSign,
} from './aws-cloudwatch.ts';

/*
 * AWS CloudWatch through SNS (docs/sources.md "AWS CloudWatch"): every message's signature is
 * verified against its signing certificate before anything else; a SubscriptionConfirmation is then
 * confirmed by fetching its SubscribeURL; a Notification's alarm becomes one alert event. The
 * certificate and confirmation URLs must match AWS_SNS_URL_PATTERN (SNS's own hosts) and go through
 * the outbound guard.
 */

const FETCH_TIMEOUT_MS = 5_000;
/** Certificates kept (SNS signs with few; they rotate rarely). */
const CERT_CACHE_MAX = 32;
const MAX_CERT_BYTES = 16 * 1024;

const ALGORITHMS: Readonly<Record<string, string>> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

class SnsVerifier {
  readonly #certs = new Map<string, string>();
  readonly #dispatcher: Dispatcher;
  readonly #pattern: RegExp;
  readonly #log: FastifyBaseLogger;

  constructor(config: Config, log: FastifyBaseLogger) {
    this.#dispatcher = guardedDispatcher(config.outboundAllow);
    this.#pattern = config.awsSnsUrlPattern;
    this.#log = log;
  }

  /** Refuses a message whose signature does not verify against its SNS signing certificate. */
  async verify(message: SnsMessage): Promise<void> {
    const algorithm = ALGORITHMS[message.SignatureVersion];
    if (!algorithm) throw invalidParameter('SignatureVersion', 'must be "1" or "2"');
    this.#checkUrl('SigningCertURL', message.SigningCertURL);
    const cert = await this.#cert(message.SigningCertURL);
    let valid = false;
    try {
      valid = createVerify(algorithm)
        .update(snsStringToSign(message), 'utf8')
        .verify(cert, message.Signature, 'base64');
    } catch {
      valid = false;
    }
    if (!valid) throw invalidParameter('Signature', 'it does not verify against the SNS signing certificate');
  }

  /** Confirms a verified subscription by fetching its SubscribeURL, as SNS asks. */
  async confirm(message: SnsMessage): Promise<void> {
    const url = message.SubscribeURL ?? '';
    this.#checkUrl('SubscribeURL', url);
    await this.#get(url, 'SNS subscription confirmation');
    this.#log.info({ topic: message.TopicArn }, 'SNS subscription confirmed');
  }

  #checkUrl(field: string, url: string): void {
    if (!this.#pattern.test(url) || !URL.canParse(url)) {
      throw invalidParameter(field, 'it is not an SNS endpoint (AWS_SNS_URL_PATTERN)');
    }
  }

  async #cert(url: string): Promise<string> {
    const cached = this.#certs.get(url);
    if (cached) return cached;
    const pem = await this.#get(url, 'SNS signing certificate');
    if (pem.length > MAX_CERT_BYTES || !pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw invalidParameter('SigningCertURL', 'it does not serve a certificate');
    }
    if (this.#certs.size >= CERT_CACHE_MAX) this.#certs.delete(this.#certs.keys().next().value!);
    this.#certs.set(url, pem);
    return pem;
  }

  async #get(url: string, what: string): Promise<string> {
    try {
      const res = await fetch(url, {
        dispatcher: this.#dispatcher,
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return body;
    } catch (error) {
      this.#log.warn({ url, reason: (error as Error).message }, `${what} could not be fetched`);
      throw new AppError('ServiceUnavailable', `The ${what} could not be fetched; SNS will retry.`);
    }
  }
}

export function registerCloudWatchRoutes(pushRoute: PushRoute, config: Config, log: FastifyBaseLogger): void {
  const verifier = new SnsVerifier(config, log);
  pushRoute<SnsMessage>(
    '/event/push/alert/aws/cloudwatch',
    {
      pluginType: 'alert.aws-cloudwatch',
      summary: 'Push an AWS CloudWatch alarm delivered by SNS (HTTP/S subscription; text/plain JSON)',
      parse: parseSnsMessage,
      textBody: true,
      data: Type.Object({ alert_keys: Type.Array(Type.String()) }),
    },
    async (message, integration, now) => {
      await verifier.verify(message);
      if (message.Type === 'SubscriptionConfirmation') {
        await verifier.confirm(message);
        return { events: [], data: { alert_keys: [] } };
      }
      if (message.Type === 'UnsubscribeConfirmation') return { events: [], data: { alert_keys: [] } };
      const event = normalizeCloudWatchAlarm(message, ingestContext(integration, now));
      return { events: [event], data: { alert_keys: [event.alertKey] } };
    },
  );
}
