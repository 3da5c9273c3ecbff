import {
  type AlertPredicate,
  type Condition,
  compileConditions,
  conditionKeyProblem,
  conditionValueProblem,
} from '../alerts/conditions.ts';
import { invalidParameter } from '../shared/app-error.ts';

/*
 * The `if` filters of enrichment rules (AND of conditions) and pipeline rules (OR of AND groups),
 * in the shared condition language of src/alerts/conditions.ts (RE2 regexes, wildcards, cidr:, num:).
 */

export type StoredCondition = { key: string; oper: 'IN' | 'NOTIN'; vals: string[] };

/** Checks every key and value, naming the first bad one (`rules[2].if[0][1].vals[0]`); returns a clean copy. */
export function checkConditions(field: string, conditions: readonly Condition[]): StoredCondition[] {
  return conditions.map((condition, j) => {
    const at = `${field}[${j}]`;
    const keyProblem = conditionKeyProblem(condition.key);
    if (keyProblem) throw invalidParameter(`${at}.key`, keyProblem);
    condition.vals.forEach((val, k) => {
      const problem = conditionValueProblem(condition.key, val);
      if (problem) throw invalidParameter(`${at}.vals[${k}]`, problem);
    });
    return { key: condition.key, oper: condition.oper, vals: [...condition.vals] };
  });
}

/** An OR of AND groups; none (or an empty list) matches every alert. */
export function compileAnyOf(groups: readonly (readonly Condition[])[] | undefined): AlertPredicate {
  if (!groups || groups.length === 0) return () => true;
  const compiled = groups.map(compileConditions);
  return (alert) => compiled.some((matches) => matches(alert));
}
