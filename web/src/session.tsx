import { createContext, useContext } from 'react';
import type { Member } from './types.ts';

/** The signed-in member and the zone their times are shown in. */
export type Session = {
  member: Member;
  timeZone: string;
  /** What the server can deliver (SMTP_URL, PHONE_PROVIDER_URL set). */
  delivery: { email: boolean; phone: boolean };
  signOut(): Promise<void>;
  /** Reloads the member (after they change their own profile, e.g. the time zone). */
  refresh(): Promise<void>;
};

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
