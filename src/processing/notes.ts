/*
 * What alert processing did to an event, for the alert's feed: each enrichment or pipeline rule
 * that added, changed or removed something (or failed) leaves one note, in the order they ran.
 * The notes ride on the event (AlertEventInput.processing) into the a_new / a_update entry.
 */

export type ProcessingNote = {
  stage: 'enrichment' | 'pipeline';
  /** The rule's index in its list. */
  rule: number;
  kind: string;
  /** Enrichment: the label added, changed or removed. */
  label?: string;
  /** Pipeline: the field rewritten (title, description, severity). */
  field?: string;
  action?: 'added' | 'changed' | 'removed' | 'dropped' | 'inhibited' | 'failed';
  from?: string;
  to?: string;
  by_alert_id?: string;
  /** Why a rule could not run (a mapping API that timed out); the event went on without it. */
  error?: string;
};
