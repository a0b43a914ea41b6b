import { createContext, useCallback, useContext, useEffect, useMemo, useReducer, type ReactNode } from 'react';
import type { AuthSession } from '@ecg/contracts';
import { getMe, getSetupStatus, logout } from '../api/auth.js';
import { asApiError, onAuthenticationRequired } from '../api/http.js';
import { LOGIN_PATH } from '../lib/return-path.js';
import { navigate } from '../lib/router.js';
import { sessionReducer, type SessionEvent, type SessionState } from '../lib/session-state.js';

interface SessionApi {
  state: SessionState;
  /** The signed-in session (single-user mode included); null while loading or signed out. */
  session: AuthSession | null;
  /** After login or setup: the session they answered. */
  signedIn: (session: AuthSession) => void;
  /** Ends the session on the server, then shows the login page. Rejects (as ApiError) when the server could not. */
  signOut: () => Promise<void>;
  retry: () => void;
}

const SessionContext = createContext<SessionApi | null>(null);

/** The start-up check: who is signed in, else whether the first admin can be created from here. */
async function checkSession(): Promise<SessionEvent> {
  try {
    return { type: 'me', session: await getMe() };
  } catch (err) {
    const e = asApiError(err);
    if (e.code !== 'AUTHENTICATION_REQUIRED') return { type: 'me-failed', code: e.code };
  }
  try {
    return { type: 'me-unauthenticated', setupAvailable: (await getSetupStatus()).setup_available };
  } catch {
    // Without an answer about setup the login page is still right: setup is the exception.
    return { type: 'me-unauthenticated', setupAvailable: false };
  }
}

/**
 * Who is using the app. Checks GET /api/auth/me on start (and on retry), and
 * goes back to signed out whenever any request answers 401
 * AUTHENTICATION_REQUIRED (http.ts reports it in one place), so the app shows
 * the login page and returns afterwards to the page the person was on.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, dispatch] = useReducer(sessionReducer, { status: 'loading' });

  useEffect(() => onAuthenticationRequired(() => dispatch({ type: 'auth-required' })), []);

  useEffect(() => {
    if (state.status !== 'loading') return;
    let live = true;
    void checkSession().then((event) => {
      if (live) dispatch(event);
    });
    return () => {
      live = false;
    };
  }, [state.status]);

  const signedIn = useCallback((session: AuthSession) => dispatch({ type: 'signed-in', session }), []);
  const signOut = useCallback(async () => {
    try {
      await logout();
    } catch (err) {
      // A session that had already ended is signed out all the same.
      if (asApiError(err).code !== 'AUTHENTICATION_REQUIRED') throw err;
    }
    // The address first, so the login page opens without remembering the page left behind.
    navigate(LOGIN_PATH);
    dispatch({ type: 'signed-out' });
  }, []);
  const retry = useCallback(() => dispatch({ type: 'retry' }), []);

  const value = useMemo<SessionApi>(
    () => ({ state, session: state.status === 'signed-in' ? state.session : null, signedIn, signOut, retry }),
    [state, signedIn, signOut, retry],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
