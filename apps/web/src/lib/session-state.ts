import { ANONYMOUS_USER_ID, type AuthSession } from '@ecg/contracts';
import type { ClientErrorCode } from '../api/http.js';
import { loginPath, returnPathFrom, SETUP_PATH } from './return-path.js';
import type { Route } from './routes.js';

/**
 * What the app knows about who is using it. `signed-in` includes single-user
 * mode (ECG_AUTH=off): the backend answers /api/auth/me with `anonymous`
 * and `auth_enabled: false`, and the app looks as it did before accounts.
 */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-in'; session: AuthSession }
  /** `expired`: a session the app had ended (a later request answered 401), so the login page says why. */
  | { status: 'signed-out'; setupAvailable: boolean; expired: boolean }
  | { status: 'unreachable'; code: ClientErrorCode };

export type SessionEvent =
  /** GET /api/auth/me answered a session. */
  | { type: 'me'; session: AuthSession }
  /** GET /api/auth/me answered 401; GET /api/auth/setup said whether the first admin may be created here. */
  | { type: 'me-unauthenticated'; setupAvailable: boolean }
  | { type: 'me-failed'; code: ClientErrorCode }
  /** Login or setup succeeded. */
  | { type: 'signed-in'; session: AuthSession }
  /** Some request answered 401 AUTHENTICATION_REQUIRED. */
  | { type: 'auth-required' }
  | { type: 'signed-out' }
  | { type: 'retry' };

/**
 * The session of a backend from before accounts (it has no /api/auth/me and
 * answers 404): one person, no sign-in, as ECG_AUTH=off would say.
 */
export const SINGLE_USER_SESSION: AuthSession = {
  auth_enabled: false,
  user: { id: ANONYMOUS_USER_ID, email: null, role: 'admin' },
  via: 'none',
  storage_bytes: null,
  job_count: 0,
};

export function sessionReducer(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'me':
    case 'signed-in':
      return { status: 'signed-in', session: event.session };
    case 'me-unauthenticated':
      return { status: 'signed-out', setupAvailable: event.setupAvailable, expired: false };
    case 'me-failed':
      return event.code === 'NOT_FOUND' ? { status: 'signed-in', session: SINGLE_USER_SESSION } : { status: 'unreachable', code: event.code };
    case 'auth-required':
      // Only a session the app had can end; a 401 while signing in is the login page's own business.
      return state.status === 'signed-in' ? { status: 'signed-out', setupAvailable: false, expired: true } : state;
    case 'signed-out':
      return { status: 'signed-out', setupAvailable: false, expired: false };
    case 'retry':
      return { status: 'loading' };
  }
}

export type Screen = 'loading' | 'unreachable' | 'login' | 'setup' | 'app';

export interface ScreenDecision {
  screen: Screen;
  /** Where to go instead of the current address (replacing it in the history), when it is not the one to show. */
  redirect?: string;
}

/**
 * Which screen the app shows for the session and the address. Signed out, any
 * page leads to the login page, which remembers it in `?next=` (or to setup,
 * while the first admin can be created here); signed in, the sign-in pages
 * lead back to that page. `search` is the address's query string.
 */
export function screenFor(state: SessionState, route: Route, pathname: string, search: string): ScreenDecision {
  switch (state.status) {
    case 'loading':
    case 'unreachable':
      return { screen: state.status };
    case 'signed-out':
      if (state.setupAvailable) return route.page === 'setup' ? { screen: 'setup' } : { screen: 'setup', redirect: SETUP_PATH };
      if (route.page === 'login') return { screen: 'login' };
      return { screen: 'login', redirect: loginPath(route.page === 'setup' ? '/' : `${pathname}${search}`) };
    case 'signed-in':
      if (route.page === 'login') return { screen: 'app', redirect: returnPathFrom(search) };
      if (route.page === 'setup') return { screen: 'app', redirect: '/' };
      return { screen: 'app' };
  }
}
