/// <reference lib="webworker" />
/**
 * Klaxon's service worker: shows pages pushed by the server (Web Push, VAPID) with Acknowledge and
 * Open actions that work from the lock screen, hands verification codes to open tabs, and keeps
 * the app shell cached so the app opens on a bad connection.
 */
export {};

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

/** What the server pushes. Pages carry the incident and a signed, unauthenticated ack URL. */
interface PushPayload {
  kind?: 'page' | 'verification' | 'test' | string;
  title?: string;
  body?: string;
  code?: string;
  incidentId?: string;
  incidentNumber?: number;
  actions?: { action: string; title?: string }[];
  ackUrl?: string;
  url?: string;
  requireInteraction?: boolean;
  renotify?: boolean;
  tag?: string;
}

/** Notification options beyond TypeScript's DOM lib (actions, renotify, vibrate). */
type FullNotificationOptions = NotificationOptions & {
  actions?: { action: string; title: string }[];
  renotify?: boolean;
  vibrate?: number[];
  requireInteraction?: boolean;
  timestamp?: number;
};

const SHELL_CACHE = 'klaxon-shell';
const manifest = [...new Map(self.__WB_MANIFEST.map((e) => (typeof e === 'string' ? { url: e, revision: null } : e)).map((e) => [e.url, e])).values()];
const version = manifest.map((e) => `${e.url}@${e.revision ?? ''}`).join('|');
const cacheName = `${SHELL_CACHE}-${hash(version)}`;

function hash(s: string): string {
  let h = 5381;
  for (let i = 0; i < s.length; i++) h = ((h << 5) + h + s.charCodeAt(i)) | 0;
  return (h >>> 0).toString(36);
}

// Server paths (apps/server/src/http/static.ts SERVER_PREFIXES): never answered from the cache.
const API_PREFIXES = ['/api/', '/v2/', '/integrations/', '/actions/', '/inbound/', '/ical/', '/status', '/healthz', '/readyz', '/metrics'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      // Each file on its own: a missing one costs that file's offline copy, never the worker (and push).
      const cache = await caches.open(cacheName);
      await Promise.allSettled(manifest.map((e) => cache.add(new URL(e.url, self.registration.scope).href)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(SHELL_CACHE) && key !== cacheName) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || API_PREFIXES.some((p) => url.pathname.startsWith(p))) return;
  if (req.mode === 'navigate') {
    // Network first, so a new version shows at once; the cached shell when offline.
    event.respondWith(fetch(req).catch(async () => (await caches.match(new URL('index.html', self.registration.scope).href)) ?? Response.error()));
    return;
  }
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith((async () => (await caches.match(req)) ?? fetch(req))());
  }
});

async function tellClients(message: unknown): Promise<number> {
  const list = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const c of list) c.postMessage(message);
  return list.length;
}

async function showPage(p: PushPayload): Promise<void> {
  const title = p.title ?? (p.incidentNumber ? `Incident #${p.incidentNumber}` : 'Klaxon page');
  const options: FullNotificationOptions = {
    body: p.body ?? '',
    tag: p.tag ?? (p.incidentId ? `incident-${p.incidentId}` : undefined),
    // A repeat of the same incident replaces the notification and alerts again.
    renotify: p.renotify ?? true,
    requireInteraction: p.requireInteraction ?? true,
    vibrate: [400, 150, 400, 150, 800],
    icon: '/icon-192.png',
    badge: '/badge-96.png',
    timestamp: Date.now(),
    actions: [
      { action: 'ack', title: 'Acknowledge' },
      { action: 'open', title: 'Open' },
    ].filter((a) => !p.actions || p.actions.some((x) => x.action === a.action)),
    data: { kind: 'page', ackUrl: p.ackUrl, url: p.url ?? (p.incidentNumber ? `/incidents/${p.incidentNumber}` : '/incidents'), incidentNumber: p.incidentNumber, incidentId: p.incidentId },
  };
  await self.registration.showNotification(title, options);
}

async function onPush(p: PushPayload): Promise<void> {
  if (p.kind === 'verification' && p.code) {
    await tellClients({ type: 'klaxon-push-verification', code: p.code });
    await self.registration.showNotification('Klaxon verification code', {
      body: `Your code is ${p.code}. Klaxon fills it in when the app is open.`,
      tag: 'klaxon-verification',
      icon: '/icon-192.png',
      data: { kind: 'verification', url: '/people/me' },
    });
    return;
  }
  if (p.kind === 'test') {
    await self.registration.showNotification(p.title ?? 'Klaxon test page', {
      body: p.body ?? 'Push works on this device.',
      tag: 'klaxon-test',
      icon: '/icon-192.png',
      data: { kind: 'test', url: '/people/me' },
    });
    return;
  }
  if (p.kind === 'page' || p.incidentId || p.ackUrl) {
    await showPage(p);
    await tellClients({ type: 'klaxon-page', incidentId: p.incidentId });
    return;
  }
  await self.registration.showNotification(p.title ?? 'Klaxon', { body: p.body ?? '', icon: '/icon-192.png', data: { url: p.url ?? '/' } });
}

self.addEventListener('push', (event) => {
  let payload: PushPayload;
  try {
    payload = (event.data?.json() as PushPayload | undefined) ?? {};
  } catch {
    payload = { title: 'Klaxon', body: event.data?.text() ?? '' };
  }
  event.waitUntil(onPush(payload));
});

async function openOrFocus(path: string): Promise<void> {
  const target = new URL(path, self.location.origin).href;
  const list = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const c of list) {
    if (new URL(c.url).origin === self.location.origin && 'focus' in c) {
      const w = c as WindowClient;
      await w.focus();
      if (w.url !== target) await w.navigate(target).catch(() => undefined);
      return;
    }
  }
  await self.clients.openWindow(target);
}

async function acknowledge(data: { ackUrl?: string; url?: string; incidentNumber?: number }): Promise<void> {
  const label = data.incidentNumber ? `#${data.incidentNumber}` : 'the incident';
  let ok = false;
  let detail = '';
  if (data.ackUrl) {
    try {
      const res = await fetch(data.ackUrl, { method: 'POST', credentials: 'omit', redirect: 'follow' });
      ok = res.ok;
      if (!ok) detail = `Klaxon answered ${res.status}.`;
    } catch {
      detail = 'No connection.';
    }
  }
  const options: FullNotificationOptions = ok
    ? { body: `You acknowledged ${label}. Escalation stopped.`, tag: 'klaxon-ack', icon: '/icon-192.png', data: { url: data.url } }
    : {
        body: `Could not acknowledge ${label}. ${detail} Open Klaxon to try again.`,
        tag: 'klaxon-ack',
        icon: '/icon-192.png',
        requireInteraction: true,
        actions: [{ action: 'open', title: 'Open' }],
        data: { url: data.url },
      };
  await self.registration.showNotification(ok ? 'Acknowledged' : 'Not acknowledged', options);
}

self.addEventListener('notificationclick', (event) => {
  const n = event.notification;
  const data = (n.data ?? {}) as { kind?: string; ackUrl?: string; url?: string; incidentNumber?: number };
  n.close();
  if (event.action === 'ack') event.waitUntil(acknowledge(data));
  else event.waitUntil(openOrFocus(data.url ?? '/incidents'));
});
