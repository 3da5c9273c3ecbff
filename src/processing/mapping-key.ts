import { createHash } from 'node:crypto';

/** A mapping row's key: md5 of the JSON array of its source values, in the schema's label order. */
export function mappingKey(sourceValues: readonly string[]): string {
  return createHash('md5').update(JSON.stringify(sourceValues)).digest('hex');
}
