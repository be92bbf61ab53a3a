import { createContext, useContext } from 'react';
import type { Bootstrap, User } from './types.js';

export interface SessionContextValue {
  user: User;
  transport: Bootstrap['transport'];
  logout: () => Promise<void>;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

/** The signed-in user; every page below the login gate may rely on it. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside the signed-in app');
  return value;
}
