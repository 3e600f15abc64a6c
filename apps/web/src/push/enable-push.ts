import { api } from '../api/client.ts';
import type { ContactMethod } from '@klaxon/contract';

/** Why push cannot work in this browser, or null when it can. */
export function pushUnsupportedReason(): string | null {
  if (!window.isSecureContext) return 'Push needs HTTPS (or localhost).';
  if (!('serviceWorker' in navigator)) return 'This browser has no service workers.';
  if (!('PushManager' in window)) return 'This browser cannot receive push messages. On iPhone and iPad, add Klaxon to the home screen first, then open it from there.';
  if (!('Notification' in window)) return 'This browser cannot show notifications.';
  return null;
}

/** Converts a base64url VAPID public key to the bytes PushManager.subscribe wants. */
export function vapidKeyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4);
  const b64 = (base64url + pad).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** A name for this device's contact method, e.g. "Push: Chrome on Android". */
export function deviceName(ua: string = navigator.userAgent): string {
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : 'this device';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\/|Chromium\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'browser';
  return `Push: ${browser} on ${os}`;
}

/** Waits for the service worker to hand over a verification code that arrived by push. */
export function waitForPushCode(timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const done = (code: string | null) => {
      clearTimeout(timer);
      navigator.serviceWorker.removeEventListener('message', onMessage);
      resolve(code);
    };
    const onMessage = (e: MessageEvent) => {
      const d = e.data as { type?: string; code?: string } | null;
      if (d?.type === 'klaxon-push-verification' && typeof d.code === 'string') done(d.code);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    navigator.serviceWorker.addEventListener('message', onMessage);
    navigator.serviceWorker.startMessages();
  });
}

/** Progress of enabling push, for the button's label. */
export type PushStep = 'permission' | 'subscribing' | 'registering' | 'waiting-code' | 'verifying' | 'done';

/**
 * Enables push on this device: asks for permission, subscribes with the server's VAPID key,
 * creates a push contact method with the subscription, and verifies it with the code the server
 * sends by push (the service worker passes it to this page). Returns the method, verified or not.
 */
export async function enablePush(userId: string, onStep: (s: PushStep) => void = () => {}): Promise<{ method: ContactMethod; verified: boolean }> {
  const reason = pushUnsupportedReason();
  if (reason) throw new Error(reason);
  onStep('permission');
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error('Notifications are blocked for this site: allow them in the browser settings, then try again.');
  onStep('subscribing');
  const reg = (await navigator.serviceWorker.getRegistration('/')) ?? (await navigator.serviceWorker.register('/sw.js', { scope: '/' }));
  await navigator.serviceWorker.ready;
  const publicKey = await api.push.vapidPublicKey();
  let sub = await reg.pushManager.getSubscription();
  if (sub) {
    // A subscription made with another key cannot be reused.
    const current = sub.options.applicationServerKey ? new Uint8Array(sub.options.applicationServerKey) : null;
    const wanted = vapidKeyBytes(publicKey);
    if (!current || current.length !== wanted.length || current.some((b, i) => b !== wanted[i])) {
      await sub.unsubscribe();
      sub = null;
    }
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidKeyBytes(publicKey) });
  onStep('registering');
  const address = JSON.stringify(sub.toJSON());
  const existing = (await api.contactMethods.list(userId)).find((m) => m.type === 'push' && m.address === address);
  if (existing?.verified) {
    onStep('done');
    return { method: existing, verified: true };
  }
  const codePromise = waitForPushCode(60_000);
  let method = existing;
  if (method) await api.contactMethods.sendVerification(method.id);
  else {
    const base = deviceName();
    const taken = new Set((await api.contactMethods.list(userId)).map((m) => m.name));
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base} ${n}`;
    method = await api.contactMethods.create(userId, { name, type: 'push', address });
  }
  onStep('waiting-code');
  const code = await codePromise;
  if (!code) return { method, verified: false };
  onStep('verifying');
  const verified = await api.contactMethods.verify(method.id, code);
  onStep('done');
  return { method: verified, verified: true };
}
