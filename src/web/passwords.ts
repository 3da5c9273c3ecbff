import { hash, verify } from '@node-rs/argon2';
import { invalidParameter } from '../shared/app-error.ts';

/*
 * Member passwords: argon2id (memory-hard) with OWASP's second recommended setting, 19 MiB, 2
 * passes, 1 lane — about 30 ms on this project's machines, run off the event loop by the native
 * binding. The PHC string carries salt and parameters, so stronger settings can come later and old
 * hashes still verify.
 */
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;

/** Length is the rule (NIST SP 800-63B): no composition rules, an upper bound against slow hashing. */
export function checkPassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH)
    throw invalidParameter(field, `a password needs at least ${PASSWORD_MIN_LENGTH} characters`);
  if (password.length > PASSWORD_MAX_LENGTH)
    throw invalidParameter(field, `a password has at most ${PASSWORD_MAX_LENGTH} characters`);
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false; // a malformed stored hash never signs anyone in
  }
}

// Verified against when no member has the e-mail, so an unknown address costs as long as a known one.
let decoy: Promise<string> | undefined;
export async function burnVerification(password: string): Promise<void> {
  decoy ??= hashPassword('vigil-decoy-password');
  await verifyPassword(await decoy, password);
}
