import { describe, expect, it } from 'vitest';
import { MemberInviteRequest } from '../../src/accounts/accounts.schemas.ts';
import { checkValue, ruleAt } from '../../src/http/field-hints.ts';

describe("console checks from the server's schema (issue 23, defect 9)", () => {
  it('finds a field through arrays and says what the server would', () => {
    const schema = JSON.parse(JSON.stringify(MemberInviteRequest));
    const rule = ruleAt(schema, 'members[].member_name');
    expect(rule).toMatchObject({ minLength: 2, maxLength: 39 });
    expect(ruleAt(schema, 'members[0].member_name')).toEqual(rule);
    expect(checkValue(rule, 'x'.repeat(40))).toBe('Use at most 39 characters (40 now).');
    expect(checkValue(rule, 'x')).toBe('Use at least 2 characters.');
    expect(checkValue(rule, '')).toBeUndefined();
    expect(checkValue(rule, 'Nadia')).toBeUndefined();
    expect(ruleAt(schema, 'members[].nothing')).toBeUndefined();
  });

  it('names a pattern in words', () => {
    const rule = { pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$' };
    expect(checkValue(rule, '-bad name')).toBe(
      'Use only letters, digits, "-" and "_", starting with a letter or digit.',
    );
  });
});
