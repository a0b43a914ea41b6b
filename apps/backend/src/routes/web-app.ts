import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';

export interface WebAppOptions {
  /** The web app's build output (`npm run build -w @ecg/web`); must hold index.html. */
  distDir: string;
}

/** Vite names what it builds `assets/<name>-<hash>.<ext>`: a new build means a new name, so these never change. */
const HASHED_ASSET = /-[A-Za-z0-9_-]{8,}\.[A-Za-z0-9]+(\.map)?$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';
// index.html and unhashed files must be revalidated, or a browser keeps asking for the previous build's assets.
const REVALIDATE = 'no-cache';

/** True when `distDir` holds a build the backend can serve. */
export function hasWebBuild(distDir: string): boolean {
  return existsSync(join(distDir, 'index.html'));
}

export function cacheControlFor(distDir: string, file: string): string {
  const rel = relative(distDir, file).split(sep).join('/');
  return rel.startsWith('assets/') && HASHED_ASSET.test(basename(rel)) ? IMMUTABLE : REVALIDATE;
}

/**
 * Serves the built web app on the backend's own origin: its files as they
 * are, and index.html for the paths the app routes itself (`/` and
 * `/jobs/...`), so a reload or a shared link opens the right page. Every other
 * path that is no file (`/api/...`, `/storage/...`, typos) falls through to
 * the JSON 404: an API client must never get HTML back.
 */
export const webAppRoutes: FastifyPluginAsync<WebAppOptions> = async (app, opts) => {
  const root = opts.distDir;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    // Cache-Control is decided per file below; the plugin's own would apply one policy to all.
    cacheControl: false,
    setHeaders: (reply: FastifyReply, file: string) => {
      reply.header('cache-control', cacheControlFor(root, file));
    },
  });
  const sendIndex = (_request: unknown, reply: FastifyReply) => reply.sendFile('index.html');
  app.get('/', { schema: { hide: true } }, sendIndex);
  app.get('/jobs/*', { schema: { hide: true } }, sendIndex);
  // The account pages (apps/web/src/lib/routes.ts): a reload there opens the app, which asks who is signed in.
  for (const page of ['/login', '/setup', '/account', '/admin/users']) app.get(page, { schema: { hide: true } }, sendIndex);
};
