/**
 * Security headers on every answer (API, web app, status pages, action links, errors), through
 * @fastify/helmet:
 * - Content-Security-Policy: scripts, connections, workers, frames and forms only from this origin;
 *   no plugins, no <base>; styles from this origin or inline (Mantine and the server-rendered pages
 *   write <style> elements); images also from https: and data: (status page logos are URLs the
 *   admin sets). frame-ancestors 'none': no page of Klaxon can be framed, so nobody can overlay the
 *   one-tap acknowledge buttons (clickjacking). X-Frame-Options DENY says the same to old browsers.
 * - X-Content-Type-Options: nosniff; Referrer-Policy: no-referrer (action links carry a token in
 *   their path); Cross-Origin-Opener-Policy: same-origin.
 * - Strict-Transport-Security only when the public URL is https (sent over http it would be ignored,
 *   and a test or LAN install must not be pinned to https).
 */
import helmet from '@fastify/helmet';
import type { App } from './deps.js';

/** The Content-Security-Policy directives (exported for the test that checks the header). */
export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:', 'https:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'"],
  'manifest-src': ["'self'"],
  'frame-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Registers the headers for every route of `app` (call before any route is added). */
export async function registerSecurityHeaders(app: App, publicUrl: string): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: publicUrl.startsWith('https:') ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    // Status JSON (/v2) and iCal feeds are read from other origins; they are not embedded resources.
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
  });
}
