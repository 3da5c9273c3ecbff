/*
 * Go's encoding/json, as far as Flashduty's Go SDK (flashcatcloud/flashduty-sdk) relies on it: a
 * response is decoded into the SDK's structs, where a value of the wrong JSON type fails the whole
 * call, a missing or null field is Go's zero value, and unknown fields are ignored. The SDK tests
 * describe each struct it decodes with these types and assert on the decoded values.
 */

export type GoType =
  | 'string'
  | 'int'
  | 'float'
  | 'bool'
  /** flashduty.Timestamp and TimestampMilli: an integer, a quoted integer or an RFC 3339 string. */
  | 'timestamp'
  | 'any'
  | { array: GoType }
  | { map: GoType }
  | { struct: Record<string, GoType> };

export const arrayOf = (of: GoType): GoType => ({ array: of });
export const mapOf = (of: GoType): GoType => ({ map: of });
export const struct = (fields: Record<string, GoType>): GoType => ({ struct: fields });

/** Go's zero value of a type, as the SDK sees a missing field. */
function zero(type: GoType): unknown {
  if (type === 'string') return '';
  if (type === 'int' || type === 'float' || type === 'timestamp') return 0;
  if (type === 'bool') return false;
  if (type === 'any') return null;
  if ('array' in type) return [];
  if ('map' in type) return {};
  return decodeGo({}, type);
}

/** Decodes `value` as Go would into `type`; throws, naming the path, where Go's decoder fails. */
export function decodeGo(value: unknown, type: GoType, path = '$'): any {
  if (value === null || value === undefined) return zero(type);
  const fail = (): never => {
    throw new Error(`${path}: Go cannot decode ${JSON.stringify(value)} into ${JSON.stringify(type)}`);
  };
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : fail();
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? value : fail();
    case 'float':
      return typeof value === 'number' ? value : fail();
    case 'bool':
      return typeof value === 'boolean' ? value : fail();
    case 'any':
      return value;
    case 'timestamp':
      if (typeof value === 'number') return Number.isInteger(value) ? value : fail();
      if (typeof value === 'string') {
        if (value === '') return 0;
        if (/^-?\d+$/.test(value)) return Number(value);
        const ms = Date.parse(value);
        return Number.isNaN(ms) ? fail() : Math.floor(ms / 1000);
      }
      return fail();
  }
  if ('array' in type) {
    if (!Array.isArray(value)) return fail();
    return value.map((item, i) => decodeGo(item, type.array, `${path}[${i}]`));
  }
  if (typeof value !== 'object' || Array.isArray(value)) return fail();
  const object = value as Record<string, unknown>;
  if ('map' in type) {
    return Object.fromEntries(
      Object.entries(object).map(([k, v]) => [k, decodeGo(v, type.map, `${path}.${k}`)]),
    );
  }
  // Go matches keys case-insensitively, preferring an exact match.
  const out: Record<string, unknown> = {};
  for (const [field, fieldType] of Object.entries(type.struct)) {
    const key =
      field in object ? field : Object.keys(object).find((k) => k.toLowerCase() === field.toLowerCase());
    out[field] = decodeGo(key === undefined ? undefined : object[key], fieldType, `${path}.${field}`);
  }
  return out;
}
