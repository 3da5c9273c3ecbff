/*
 * Which changes may have caused an incident, best first (docs/changes.md "Correlation"). Pure.
 *
 * A change is related to an incident when
 * - it was active within the look-back window before the incident started: its span
 *   [start_time, last_time] meets [incident start − window, incident start]; and
 * - it shares a label value with the incident on at least one correlation key: the change's value
 *   of the key is one of the incident's values for it (its own labels and those of its alerts).
 *
 * Ranking: more shared keys first (`overlap`), then the change closest to the incident's start
 * (`seconds_before`: how long before the start its last activity was, 0 when it was still active),
 * then the later last_time, then the larger change_id. `score` folds both into one number: the
 * overlap plus a recency fraction below 1, so ordering by score is ordering by (overlap, recency).
 */

export const DEFAULT_CORRELATION = {
  labelKeys: ['service', 'cluster', 'resource', 'host', 'app'],
  windowSeconds: 2 * 3600,
} as const;

export type CorrelationSettings = { labelKeys: readonly string[]; windowSeconds: number };

/** The incident side: its start and, per correlation key, every value its labels carry. */
export type IncidentLabelValues = ReadonlyMap<string, ReadonlySet<string>>;

export type CandidateChange = {
  change_id: string;
  labels: Readonly<Record<string, string>>;
  start_time: number;
  last_time: number;
};

export type Correlation = {
  /** The shared labels: correlation key → the change's value. */
  matched_labels: Record<string, string>;
  overlap: number;
  seconds_before: number;
  score: number;
};

/** Per correlation key, the values of the incident's labels and of its alerts' labels. */
export function incidentLabelValues(
  labelKeys: readonly string[],
  labelSets: Iterable<Readonly<Record<string, string>>>,
): Map<string, Set<string>> {
  const values = new Map<string, Set<string>>(labelKeys.map((key) => [key, new Set()]));
  for (const labels of labelSets) {
    for (const key of labelKeys) {
      const value = Object.hasOwn(labels, key) ? labels[key] : undefined;
      if (value !== undefined && value !== '') values.get(key)!.add(value);
    }
  }
  for (const [key, set] of values) if (set.size === 0) values.delete(key);
  return values;
}

/** The window a change must have been active in: [incident start − window, incident start]. */
export function lookBack(incidentStart: number, windowSeconds: number): { from: number; to: number } {
  return { from: incidentStart - windowSeconds, to: incidentStart };
}

/** How one change relates to the incident, or undefined when it does not. */
export function correlate(
  change: CandidateChange,
  incident: { startTime: number; values: IncidentLabelValues },
  windowSeconds: number,
): Correlation | undefined {
  const window = lookBack(incident.startTime, windowSeconds);
  if (change.start_time > window.to || change.last_time < window.from) return undefined;
  const matched: Record<string, string> = {};
  let overlap = 0;
  for (const [key, values] of incident.values) {
    const value = Object.hasOwn(change.labels, key) ? change.labels[key] : undefined;
    if (value !== undefined && values.has(value)) {
      matched[key] = value;
      overlap += 1;
    }
  }
  if (overlap === 0) return undefined;
  const secondsBefore = Math.max(0, window.to - change.last_time);
  const recency = 1 - secondsBefore / (windowSeconds + 1);
  return {
    matched_labels: matched,
    overlap,
    seconds_before: secondsBefore,
    score: Math.round((overlap + recency) * 1_000_000) / 1_000_000,
  };
}

/** The related changes among `candidates`, best first, each with how it relates. */
export function rankRelatedChanges<C extends CandidateChange>(
  candidates: readonly C[],
  incident: { startTime: number; values: IncidentLabelValues },
  windowSeconds: number,
): { change: C; correlation: Correlation }[] {
  return candidates
    .flatMap((change) => {
      const correlation = correlate(change, incident, windowSeconds);
      return correlation ? [{ change, correlation }] : [];
    })
    .sort(
      (a, b) =>
        b.correlation.overlap - a.correlation.overlap ||
        a.correlation.seconds_before - b.correlation.seconds_before ||
        b.change.last_time - a.change.last_time ||
        (a.change.change_id < b.change.change_id ? 1 : a.change.change_id > b.change.change_id ? -1 : 0),
    );
}
