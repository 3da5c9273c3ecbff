/** Field names whose values are secrets: never stored in the audit log. */
const SECRET_FIELD =
  /(secret|password|passwd|token|signature|authorization|credential|cookie|private|(api|app|integration|routing|access|sign|webhook)_?key)/i;
/** Query parameters of URLs (IM bot webhooks carry their token there) that are secrets. */
const SECRET_PARAM = /(token|key|secret|sign|signature|access|auth|password|pass)/i;
export const MASK = '******';
/** Flashduty keeps at most 10 KB of a request body in its audit log. */
const MAX_BODY = 10_240;

function maskUrl(value: string): string {
  if (!/^https?:\/\//i.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (url.password) url.password = MASK;
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, MASK);
  }
  return url.toString();
}

/** A copy of a request body with every secret replaced by MASK. Pure. */
export function maskSecrets(value: unknown, name = ''): unknown {
  if (name !== '' && SECRET_FIELD.test(name) && value !== null && value !== '' && typeof value !== 'boolean')
    return MASK;
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, name));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskSecrets(item, key)]));
  }
  return value;
}

/** The masked body as JSON text, cut at 10 KB. */
export function auditBody(body: unknown): string {
  if (body === undefined || body === null) return '';
  const text = JSON.stringify(maskSecrets(body));
  return text.length > MAX_BODY ? text.slice(0, MAX_BODY) : text;
}

/** The ids a request names (`incident_ids`, `channel_id`, ...), top level only: which objects it touched. */
export function auditTarget(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return '';
  const ids = Object.entries(body).filter(([key]) => /(^id$|_ids?$)/.test(key) && !SECRET_FIELD.test(key));
  return ids.length === 0 ? '' : JSON.stringify(Object.fromEntries(ids)).slice(0, 1_000);
}
