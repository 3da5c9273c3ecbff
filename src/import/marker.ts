import { createHash } from 'node:crypto';
import type { SourceName } from './model.ts';

/*
 * How an import remembers what it made (docs/import.md, "Idempotence"): members and teams carry
 * `ref_id` "<source>:<kind>:<id>"; schedules, channels, escalation rules and integrations end their
 * description with a tag naming the source object and a hash of what was written. Both are written
 * by the same call that creates the object, so an import stopped at any point never leaves an
 * object it cannot recognise on the next run.
 */

export type Tag = { source: string; kind: string; id: string; hash: string };

const TAG = /\[vigil-import ([a-z-]+)\/([a-z_]+)\/(\S+) ([0-9a-f]{8})\]$/;

export function refId(source: SourceName, kind: 'user' | 'team', id: string): string {
  return `${source}:${kind}:${id}`.slice(0, 128);
}

export function readTag(description: string | null | undefined): Tag | undefined {
  const match = TAG.exec(description ?? '');
  return match ? { source: match[1]!, kind: match[2]!, id: match[3]!, hash: match[4]! } : undefined;
}

/** A stable short hash of what an import writes (objects' keys sorted). */
export function hashOf(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex')
    .slice(0, 8);
}

/** The description with the tag at its end, the source's text cut to leave room within `max`. */
export function tagged(description: string, tag: Omit<Tag, 'hash'>, hash: string, max = 500): string {
  const text = `[vigil-import ${tag.source}/${tag.kind}/${tag.id} ${hash}]`;
  const room = max - text.length - 1;
  const kept = description.trim().slice(0, Math.max(0, room)).trim();
  return kept ? `${kept}\n${text}` : text;
}

/** Names cut to Vigil's limit, with a note when cut. */
export function fitName(name: string, max: number, notes: string[], min = 1): string {
  let trimmed = name.trim();
  if (trimmed.length > max) {
    notes.push(`name cut to ${max} characters`);
    trimmed = trimmed.slice(0, max).trim();
  }
  return trimmed.length >= min ? trimmed : `${trimmed}${'_'.repeat(min - trimmed.length)}`;
}
