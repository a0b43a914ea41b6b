export type Route = { page: 'start' } | { page: 'job'; jobId: string } | { page: 'missing' };

export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { page: 'start' };
  const m = /^\/jobs\/([^/]+)\/?$/.exec(path);
  if (m?.[1]) return { page: 'job', jobId: decodeURIComponent(m[1]) };
  return { page: 'missing' };
}
