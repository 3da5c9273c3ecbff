import { rfc3339Seconds } from '../prometheus.ts';

/*
 * What several source parsers (this folder) read the same way: free-form details, ISO times.
 */

/** Details as a description: a string as it is, anything else as indented JSON ('' when absent). */
export function detailText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2);
}

/**
 * Top-level fields of a details object as labels (`<prefix><name>`): scalars as text, nested
 * values as JSON. At most `max`, so a large details object never crowds out a source's own labels
 * (a push keeps 50 labels at most, the first in key order).
 */
export function detailLabels(value: unknown, prefix: string, max = 20): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const labels: Record<string, string> = {};
  for (const [name, field] of Object.entries(value).slice(0, max)) {
    if (field === null || field === undefined || field === '') continue;
    labels[prefix + name] = typeof field === 'object' ? JSON.stringify(field) : String(field);
  }
  return labels;
}

/**
 * Unix seconds of an ISO 8601 time: RFC 3339, or with an offset without a colon (`+0000`, as
 * PagerDuty's examples write it). Undefined when it is neither.
 */
export function isoSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  return rfc3339Seconds(trimmed) ?? rfc3339Seconds(trimmed.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}
