import type { FastifyHelmetOptions } from '@fastify/helmet';

export interface SecurityHeaderInputs {
  publicUrl: string;
  /** Origins the browser fetches media from and uploads to (the object store's, when not the backend's). */
  storageOrigins: readonly string[];
  /** The ML service's public URL, when the browser polls it directly. */
  mlPublicUrl: string | null;
}

/**
 * Security headers for the web app and the API (through @fastify/helmet).
 * The Content-Security-Policy allows scripts and styles from this origin only
 * (no inline script: the Vite build has none, so an injected `<script>` or
 * `onerror=` attribute cannot run) and no framing (`frame-ancestors 'none'`,
 * plus X-Frame-Options for old browsers). Media and uploads may also go to
 * the object store, polling to the ML service when it is public.
 * `no-referrer`, because storage URLs carry their signature in the query.
 * HSTS only when PUBLIC_URL is https: on a plain-http install it would only
 * confuse a later https setup on the same name. `upgrade-insecure-requests`
 * is left out for the same reason: it would break a LAN install over http.
 */
export function securityHeaderOptions(inputs: SecurityHeaderInputs): FastifyHelmetOptions {
  const self = "'self'";
  const extraOrigins = [...new Set(inputs.storageOrigins)].filter((o) => o !== new URL(inputs.publicUrl).origin);
  const mlOrigin = inputs.mlPublicUrl ? [new URL(inputs.mlPublicUrl).origin] : [];
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: [self],
        scriptSrc: [self],
        scriptSrcAttr: ["'none'"],
        styleSrc: [self],
        imgSrc: [self, 'data:', 'blob:'],
        fontSrc: [self, 'data:'],
        mediaSrc: [self, 'blob:', ...extraOrigins],
        connectSrc: [self, ...extraOrigins, ...mlOrigin],
        workerSrc: [self, 'blob:'],
        objectSrc: ["'none'"],
        baseUri: [self],
        formAction: [self],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: inputs.publicUrl.startsWith('https:') ? { maxAge: 15552000, includeSubDomains: false } : false,
    // same-site rather than helmet's same-origin: a web app on a sibling origin (WEB_ORIGINS) still plays the video.
    crossOriginResourcePolicy: { policy: 'same-site' },
  };
}
