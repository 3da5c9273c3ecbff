import { createHmac } from 'node:crypto';

/*
 * How a custom action's call is signed (docs/custom-actions.md): HMAC-SHA256, keyed with the
 * integration's key (shown once when the integration is created), over `<timestamp>.<body>`. The
 * receiver recomputes it and rejects old timestamps, so a captured call cannot be replayed later.
 */

export const SIGNATURE_HEADER = 'X-Vigil-Signature';
export const TIMESTAMP_HEADER = 'X-Vigil-Timestamp';

export function signatureOf(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}
