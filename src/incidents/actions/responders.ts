/*
 * The incident's `responders` (jsonb): the people who engaged with it — assignees (assigned_at > 0,
 * written by assignment) and whoever acknowledged it, assigned or not. acknowledged_at is 0 while
 * the person does not acknowledge it. Pure: the actions read, change and write the whole array
 * under the incident's row lock, so concurrent acknowledgements never lose one another.
 */

export type Responder = { person_id: number; assigned_at: number; acknowledged_at: number };

/** The stored array, read defensively (entries written by other code may lack fields). */
export function readResponders(stored: unknown): Responder[] {
  if (!Array.isArray(stored)) return [];
  return stored.flatMap((entry) => {
    const e = entry as Partial<Responder> | null;
    if (!e || typeof e.person_id !== 'number') return [];
    return [
      {
        ...e,
        person_id: e.person_id,
        assigned_at: typeof e.assigned_at === 'number' ? e.assigned_at : 0,
        acknowledged_at: typeof e.acknowledged_at === 'number' ? e.acknowledged_at : 0,
      },
    ];
  });
}

/** The responders after `personId` acknowledged at `now`; null when they already acknowledge it. */
export function acknowledgeBy(
  responders: readonly Responder[],
  personId: number,
  now: number,
): Responder[] | null {
  const current = responders.find((r) => r.person_id === personId);
  if (current && current.acknowledged_at > 0) return null;
  if (current) return responders.map((r) => (r.person_id === personId ? { ...r, acknowledged_at: now } : r));
  return [...responders, { person_id: personId, assigned_at: 0, acknowledged_at: now }];
}

/** The responders after `personId` withdrew their acknowledgement; null when they had none. */
export function unacknowledgeBy(responders: readonly Responder[], personId: number): Responder[] | null {
  const current = responders.find((r) => r.person_id === personId);
  if (!current || current.acknowledged_at === 0) return null;
  return responders.map((r) => (r.person_id === personId ? { ...r, acknowledged_at: 0 } : r));
}

/** Nobody acknowledges any more (reopen, snooze expiry); everyone stays a responder. */
export function clearAcknowledgements(responders: readonly Responder[]): Responder[] {
  return responders.map((r) => ({ ...r, acknowledged_at: 0 }));
}

/** The earliest acknowledgement still standing, 0 when there is none. */
export function firstAcknowledgement(responders: readonly Responder[]): number {
  const times = responders.map((r) => r.acknowledged_at).filter((t) => t > 0);
  return times.length === 0 ? 0 : Math.min(...times);
}
