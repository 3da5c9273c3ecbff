import { randomBytes, randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/*
 * Identifier formats, as Flashduty uses them:
 * - int64 ids (accounts, members, teams, channels, integrations, keys) are made by the database
 *   function vigil_next_id() (migration 0001): milliseconds since 2024 × 1024 + a sequence, so they
 *   are time-ordered, unique across every instance sharing the database, and stay below 2^53.
 * - ObjectID-style 24-hex ids for incidents, alerts, events and rules (newObjectId).
 * - ULIDs for status-page components, sections, updates and request ids (newUlid).
 */

const processRandom = randomBytes(5);
let objectIdCounter = randomBytes(3).readUIntBE(0, 3);

/** A 24-hex id laid out like a MongoDB ObjectID: 4 bytes of seconds, 5 per-process bytes, 3 counter bytes. */
export function newObjectId(nowMs: number = Date.now()): string {
  const bytes = Buffer.alloc(12);
  bytes.writeUInt32BE(Math.floor(nowMs / 1000) >>> 0, 0);
  processRandom.copy(bytes, 4);
  objectIdCounter = (objectIdCounter + 1) % 0x1000000;
  bytes.writeUIntBE(objectIdCounter, 9, 3);
  return bytes.toString('hex');
}

/**
 * ulid's own generator asks the operating system for one byte per character (16 calls per id, one
 * per request id at ingest rates); this one draws the same uniform bytes from a pool refilled 4 KiB
 * at a time.
 */
const randomPool = Buffer.alloc(4096);
let randomPoolAt = randomPool.length;
function pooledRandomFraction(): number {
  if (randomPoolAt === randomPool.length) {
    randomFillSync(randomPool);
    randomPoolAt = 0;
  }
  return randomPool[randomPoolAt++]! / 256;
}

export const newUlid: () => string = monotonicFactory(pooledRandomFraction);

/** A random secret of `bytes` bytes, hex-encoded (app keys, integration keys, tokens). */
export function newSecret(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
