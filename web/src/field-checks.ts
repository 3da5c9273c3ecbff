import { useEffect, useState } from 'react';
import { checkValue, ruleAt } from '../../src/http/field-hints.ts';
import { ApiError, api, describeError } from './api.ts';

/*
 * Forms check their fields against the server's own schema of the operation they call (served by
 * GET /console/input-schema), in the server's words (src/http/field-hints.ts): a limit is shown
 * beside the field as it is broken, and a refusal the server names a field for goes beside that
 * field, not into a banner. Nothing is cut short silently.
 */

const schemas = new Map<string, Promise<unknown>>();

function loadSchema(operation: string): Promise<unknown> {
  let pending = schemas.get(operation);
  if (!pending) {
    pending = api
      .get<{ schema: unknown }>(`/console/input-schema?path=${encodeURIComponent(operation)}`)
      .then((data) => data.schema)
      // Without the schema the server still checks; the form only loses its early warning.
      .catch(() => {
        schemas.delete(operation);
        return undefined;
      });
    schemas.set(operation, pending);
  }
  return pending;
}

/** `members[0].member_name` → `members[].member_name`, as forms name their fields. */
const normalise = (field: string) => field.replace(/\[\d+\]/g, '[]');

/**
 * The checks of one form. `fields` maps the form's own names to the operation's field paths:
 * `{ name: 'members[].member_name' }`.
 */
export function useChecks<K extends string>(operation: string, fields: Record<K, string>) {
  const [schema, setSchema] = useState<unknown>();
  const [server, setServer] = useState<Partial<Record<K, { message: string; value: unknown }>>>({});
  useEffect(() => {
    let live = true;
    void loadSchema(operation).then((loaded) => {
      if (live) setSchema(loaded);
    });
    return () => {
      live = false;
    };
  }, [operation]);
  const keys = Object.keys(fields) as K[];
  const error = (key: K, value: unknown): string | undefined => {
    const refused = server[key];
    // The server's word stands until the value it was about changes.
    if (refused && refused.value === value) return refused.message;
    return checkValue(ruleAt(schema, fields[key]), value);
  };
  return {
    /** What to show under the field, or undefined. */
    error,
    /** True when no field breaks a limit the form can see. */
    ok: (values: Record<K, unknown>) =>
      keys.every((key) => checkValue(ruleAt(schema, fields[key]), values[key]) === undefined),
    /**
     * Takes a failed call: what the server said about the form's fields goes beside them; the rest
     * comes back in words, for the banner (undefined when nothing is left to say).
     */
    absorb: (caught: unknown, values: Record<K, unknown>): string | undefined => {
      const beside: Partial<Record<K, { message: string; value: unknown }>> = {};
      let placed = false;
      if (caught instanceof ApiError) {
        for (const problem of caught.fields) {
          const key = keys.find((k) => normalise(fields[k]) === normalise(problem.field));
          if (key === undefined) continue;
          beside[key] = { message: problem.message, value: values[key] };
          placed = true;
        }
      }
      setServer(beside);
      return placed ? undefined : describeError(caught);
    },
    clear: () => setServer({}),
  };
}
