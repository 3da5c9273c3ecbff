import { describe, expect, it } from 'vitest';
import { createAccount } from '../../src/accounts/accounts.service.ts';
import { ownerNameFrom } from '../../src/accounts/owner-name.ts';
import { startTestApp } from '../harness/app.ts';

describe('the Owner named from the e-mail (issue 23)', () => {
  it('takes a person from a personal address and the account from a shared mailbox', () => {
    expect(ownerNameFrom('jane.doe@acme.example', 'Acme')).toBe('Jane Doe');
    expect(ownerNameFrom('j_smith+vigil@acme.example', 'Acme')).toBe('J Smith');
    expect(ownerNameFrom('ops@acme.example', 'Acme')).toBe('Acme Owner');
    expect(ownerNameFrom('SRE@acme.example', 'Acme')).toBe('Acme Owner');
    expect(ownerNameFrom('42@acme.example', 'Acme')).toBe('Acme Owner');
    expect([...ownerNameFrom('ops@x.example', 'A'.repeat(39))].length).toBe(39);
  });
});

it('vigil account create names the Owner so, and says the name it chose', async () => {
  const t = await startTestApp();
  try {
    const created = await createAccount(
      { db: t.db, clock: t.clock },
      { name: 'Acme', email: 'ops@acme.example' },
    );
    expect(created.member_name).toBe('Acme Owner');
    const info = await t.post('/member/info', {}, created.app_key);
    expect(info.body.data.member_name).toBe('Acme Owner');
  } finally {
    await t.close();
  }
}, 120_000);
