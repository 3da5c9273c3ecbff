import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../../config/config.ts';
import { RateLimit } from '../../http/rate-limit.ts';
import type { IntegrationRow } from '../../integrations/integrations.store.ts';
import { parseEmailSettings } from '../../integrations/source-settings.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Ingest } from '../ingest.service.ts';
import { normalizeEmail } from '../sources/email.ts';

/*
 * The inbound SMTP listener of e-mail integrations (INBOUND_SMTP_PORT; docs/sources.md
 * "E-mail"). Each integration's address is its key at any domain. An unknown address is refused at
 * RCPT TO with 550, a message over INBOUND_SMTP_MAX_BYTES with 552, a full backlog or an
 * integration over its rate limit with 451 (the sender retries later); a message is accepted (250)
 * only once its events are committed to the ingest log, like a push's 200.
 */

type Logger = { info(details: object, message: string): void; warn(details: object, message: string): void };

/** Recipients of one message at most: each is an integration lookup. */
const MAX_RECIPIENTS = 20;

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

export type InboundSmtp = { port: number; close(): Promise<void> };

export async function startInboundSmtp(deps: {
  config: Config;
  clock: Clock;
  logger: Logger;
  redis?: ConstructorParameters<typeof RateLimit>[2];
  ingestor: Ingest;
}): Promise<InboundSmtp> {
  const { config, ingestor } = deps;
  // The same windows and key space as pushes: an integration's limit holds whatever the path.
  const limit = new RateLimit(
    'integration',
    [
      { points: config.rateLimitIntegrationPerSecond, seconds: 1 },
      { points: config.rateLimitIntegrationPerMinute, seconds: 60 },
    ],
    deps.redis,
  );
  const recipients = new WeakMap<SMTPServerSession, IntegrationRow[]>();

  const receive = async (message: Buffer, tooLarge: boolean, session: SMTPServerSession) => {
    if (tooLarge) throw smtpError(552, `5.3.4 Message larger than ${config.inboundSmtpMaxBytes} bytes`);
    const parsed = await simpleParser(message);
    const from = parsed.from?.value[0]?.address ?? '';
    const mail = {
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      from,
      messageId: parsed.messageId ?? '',
      date: parsed.date ? Math.floor(parsed.date.getTime() / 1000) : undefined,
    };
    if (await ingestor.refusal()) throw smtpError(451, '4.3.2 Too many events waiting; retry later');
    const integrations = recipients.get(session) ?? [];
    for (const integration of integrations) {
      const decision = await limit.consume(String(integration.integration_id));
      if (!decision.allowed) throw smtpError(451, '4.7.0 Rate limit of this integration; retry later');
    }
    const nowSeconds = Math.floor(deps.clock.nowMs() / 1000);
    for (const integration of integrations) {
      const event = normalizeEmail(mail, parseEmailSettings(integration.settings), {
        integrationId: integration.integration_id,
        integrationType: integration.plugin_type,
        integrationName: integration.name,
        nowSeconds,
      });
      await ingestor.accept(integration, [event]);
    }
    deps.logger.info({ recipients: integrations.length, from }, 'inbound mail accepted');
  };

  const server = new SMTPServer({
    name: 'vigil',
    banner: 'Vigil alert mail',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: config.inboundSmtpMaxBytes,
    rejectOversized: true,
    maxClients: 100,
    socketTimeout: 60_000,
    logger: false,
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, callback) {
      const list = recipients.get(session) ?? [];
      if (list.length >= MAX_RECIPIENTS) {
        callback(smtpError(452, `4.5.3 At most ${MAX_RECIPIENTS} recipients`));
        return;
      }
      const key = address.address.split('@')[0] ?? '';
      const found = key === '' ? Promise.resolve(undefined) : ingestor.integrationByKey(key);
      found.then(
        (integration) => {
          if (integration?.plugin_type !== 'alert.email') {
            callback(smtpError(550, `5.1.1 <${address.address}>: no e-mail integration has this address`));
            return;
          }
          recipients.set(session, [...list, integration]);
          callback();
        },
        (error: Error) => {
          deps.logger.warn({ err: error }, 'inbound mail: integration lookup failed');
          callback(smtpError(451, '4.3.0 Temporary failure; retry later'));
        },
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        receive(Buffer.concat(chunks), stream.sizeExceeded, session).then(
          () => callback(),
          (error: Error & { responseCode?: number }) => {
            if (error.responseCode) return callback(error);
            deps.logger.warn({ err: error }, 'inbound mail failed');
            callback(smtpError(451, '4.3.0 Temporary failure; retry later'));
          },
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.inboundSmtpPort, config.inboundSmtpHost, () => resolve());
  });
  server.on('error', (error: Error) => deps.logger.warn({ err: error }, 'inbound SMTP error'));
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
