export type Route =
  | { page: 'start' }
  | { page: 'job'; jobId: string }
  | { page: 'login' }
  | { page: 'setup' }
  | { page: 'account' }
  | { page: 'admin-users' }
  | { page: 'missing' };

const FIXED: Record<string, Route> = {
  '/login': { page: 'login' },
  '/setup': { page: 'setup' },
  '/account': { page: 'account' },
  '/admin/users': { page: 'admin-users' },
};

export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'start' };
  const m = /^\/jobs\/([^/]+)\/?$/.exec(path);
  if (m?.[1]) return { page: 'job', jobId: decodeURIComponent(m[1]) };
  const fixed = FIXED[path.replace(/\/$/, '')];
  if (fixed) return fixed;
  return { page: 'missing' };
}
