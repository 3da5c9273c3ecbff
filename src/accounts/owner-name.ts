/**
 * The Owner's name when `vigil account create` is given none (issue 23: "ops" from
 * ops@acme.example read as a person's name). A personal address gives the person's name
 * (jane.doe@ → "Jane Doe"); a shared mailbox (ops@, admin@, sre@ …) gives "<Account> Owner",
 * which the Owner changes on their profile. Always 2 to 39 characters, as member names are.
 */
const SHARED_MAILBOXES = new Set([
  'admin',
  'administrator',
  'alerts',
  'contact',
  'devops',
  'hello',
  'info',
  'it',
  'noc',
  'noreply',
  'no-reply',
  'oncall',
  'on-call',
  'ops',
  'operations',
  'postmaster',
  'root',
  'security',
  'sre',
  'support',
  'sysadmin',
  'team',
  'webmaster',
]);

export function ownerNameFrom(email: string, accountName: string): string {
  const local = (email.split('@')[0] ?? '').split('+')[0]!.toLowerCase();
  const words = local.split(/[._-]+/).filter((word) => /[a-z]/.test(word));
  const personal = !SHARED_MAILBOXES.has(local) && words.length > 0;
  const name = personal
    ? words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join(' ')
    : `${accountName.trim()} Owner`;
  return [...name].slice(0, 39).join('').trim().padEnd(2, '_');
}
