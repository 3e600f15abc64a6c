import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, type ReactNode } from 'react';
import { ApiError, api, setCsrfToken, setUnauthenticatedHandler } from './api/client.ts';
import type { Session, User } from '@klaxon/contract';
import { keys } from './api/keys.ts';

/** What the app knows about who is signed in. */
export interface SessionState {
  user: User;
  isAdmin: boolean;
  /** Replace the session after sign-in or setup. */
  setSession(s: Session | null): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

/** The signed-in user; only inside screens behind sign-in. */
export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in screen');
  return s;
}

/** Loads GET /auth/session: the session, or null when nobody is signed in (401). */
async function loadSession(): Promise<Session | null> {
  try {
    const s = await api.auth.session();
    setCsrfToken(s?.csrfToken ?? null);
    return s;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      setCsrfToken(null);
      return null;
    }
    throw e;
  }
}

const sessionQuery = { queryKey: keys.session, queryFn: loadSession, staleTime: Infinity, retry: 1 } as const;

/** Starts GET /auth/session before the first render (main.tsx), so it runs while React renders the first frame; SessionGate then finds it in flight. */
export function prefetchSession(qc: QueryClient): Promise<void> {
  return qc.prefetchQuery(sessionQuery);
}

/** Provides the session to signed-in screens and chooses between them and `signedOut`. */
export function SessionGate({
  signedOut,
  loading,
  failed,
  children,
}: {
  signedOut: (setSession: (s: Session) => void) => ReactNode;
  loading: ReactNode;
  failed: (retry: () => void, error: unknown) => ReactNode;
  children: ReactNode;
}) {
  const qc = useQueryClient();
  const q = useQuery(sessionQuery);

  const setSession = useCallback(
    (s: Session | null) => {
      setCsrfToken(s?.csrfToken ?? null);
      if (!s) qc.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
      qc.setQueryData(keys.session, s);
    },
    [qc],
  );

  useEffect(() => {
    setUnauthenticatedHandler(() => setSession(null));
  }, [setSession]);

  const signOut = useCallback(async () => {
    let next: string | null = null;
    try {
      // Ends the session; with single sign-on, also names the provider's sign-out page to go to.
      next = (await api.auth.ssoLogout()).redirectUrl;
    } finally {
      setSession(null);
    }
    if (next) window.location.assign(next);
  }, [setSession]);

  const session = q.data;
  const value = useMemo<SessionState | null>(() => (session ? { user: session.user, isAdmin: session.user.role === 'admin', setSession, signOut } : null), [session, setSession, signOut]);

  if (q.isPending) return <>{loading}</>;
  if (q.isError) return <>{failed(() => void q.refetch(), q.error)}</>;
  if (!value) return <>{signedOut(setSession)}</>;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
