import type { CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePushService, type SubscriptionJson } from '../fakes/push.js';
import { addPagedService, addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

/**
 * Chromium's own push transport needs Google's servers, so the browser's PushManager is replaced by
 * one returning a subscription on the local fake push service (which checks encryption and the VAPID
 * signature), and what the fake receives is handed to the real service worker with the DevTools
 * protocol's ServiceWorker.deliverPushMessage: everything else is the real app, server and worker.
 */
describe.skipIf(!HAVE_CHROMIUM)('web: enable push on this device, get a page with Acknowledge, acknowledge from the notification', () => {
  let rig: WebRig;
  const push = new FakePushService();
  let routingKey: string;
  let mayaId: string;

  beforeAll(async () => {
    [rig] = await Promise.all([startRig(), push.start()]);
    mayaId = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    ({ routingKey } = await addPagedService(rig.t, { name: 'orders-db', userIds: [mayaId] }));
  });
  afterAll(async () => {
    await rig?.stop();
    await push.close();
  });

  async function deliver(page: Page, cdp: CDPSession, registrationId: string, data: string): Promise<void> {
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: new URL(page.url()).origin, registrationId, data });
  }

  it('subscribes with the VAPID key, verifies by the pushed code, shows pages with actions; Acknowledge POSTs the ack URL', async () => {
    const { t } = rig;
    const vapidKey = ((await (await fetch(`${t.url}/api/v1/push/vapid-public-key`)).json()) as { publicKey: string }).publicKey;
    const sub: SubscriptionJson = push.newSubscription({ applicationServerKey: vapidKey });
    const { context, page } = await newPage(rig.browser, 'phone');
    await context.grantPermissions(['notifications'], { origin: t.url });
    await context.addInitScript((s: SubscriptionJson) => {
      const w = window as unknown as { __subscribedWith?: string };
      const b64url = (buf: ArrayBuffer) =>
        btoa(String.fromCharCode(...new Uint8Array(buf)))
          .replace(/\+/g, '-')
          .replace(/\//g, '_')
          .replace(/=+$/, '');
      let current: unknown = null;
      PushManager.prototype.getSubscription = async () => current as PushSubscription | null;
      PushManager.prototype.subscribe = async function (opts?: PushSubscriptionOptionsInit) {
        const key = opts?.applicationServerKey as Uint8Array;
        w.__subscribedWith = b64url(key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength) as ArrayBuffer);
        current = { endpoint: s.endpoint, options: { applicationServerKey: key.buffer, userVisibleOnly: true }, toJSON: () => s, unsubscribe: async () => true };
        return current as PushSubscription;
      };
    }, sub);

    const cdp = await context.newCDPSession(page);
    const registrations = new Map<string, string>();
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string; scopeURL: string }[] }) => {
      for (const r of e.registrations) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');

    await signIn(page, t.url, 'maya@example.com');
    await page.locator('nav[aria-label=Sections]').getByRole('link', { name: 'People' }).click();
    await page.getByTestId('enable-push').click();

    // The server sends the verification code by push: encrypted, VAPID-signed, to the fake.
    await expect.poll(async () => (await t.api('GET', `/api/v1/users/${mayaId}/contact-methods`)).body.contactMethods.length, { timeout: 10_000 }).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { __subscribedWith?: string }).__subscribedWith)).toBe(vapidKey);
    await t.cycle();
    const verification = await push.waitFor((d) => (d.json as { kind?: string } | undefined)?.kind === 'verification');
    await expect.poll(() => registrations.get(`${t.url}/`), { timeout: 10_000 }).toBeTruthy();
    const registrationId = must(registrations.get(`${t.url}/`), 'registrations.get(`${t.url}/`)');
    await deliver(page, cdp, registrationId, verification.text);

    // The worker hands the code to the page, which verifies the method by itself.
    await page.getByText(/Push is on for Push: Chrome/).waitFor({ timeout: 15_000 });
    const methods = (await t.api('GET', `/api/v1/users/${mayaId}/contact-methods`)).body.contactMethods;
    expect(methods).toMatchObject([{ type: 'push', verified: true }]);

    // A page: the notification stays up, with Acknowledge and Open, one per incident.
    await trigger(t, routingKey, 'Replication lag above 300 s', { dedupKey: 'lag' });
    await t.cycle();
    const page1 = await push.waitFor((d) => (d.json as { kind?: string } | undefined)?.kind === 'page');
    await deliver(page, cdp, registrationId, page1.text);
    const shown = async () =>
      page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({
          title: n.title,
          tag: n.tag,
          requireInteraction: n.requireInteraction,
          actions: (n as unknown as { actions: { action: string; title: string }[] }).actions.map((a) => a.title),
        }));
      });
    // 30 s: a full CI run (three browser suites at once on two cores) once took over 10 s to show it.
    await expect.poll(async () => (await shown()).find((n) => n.tag.startsWith('incident-')), { timeout: 30_000 }).toMatchObject({ requireInteraction: true, actions: ['Acknowledge', 'Open'] });
    expect(
      must(
        (await shown()).find((n) => n.tag.startsWith('incident-')),
        "shown() entry where n.tag.startsWith('incident-')",
      ).title,
    ).toContain('Replication lag above 300 s');

    // "Acknowledge" on the notification: the worker POSTs the signed ack URL, without a session.
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    await worker.evaluate(async () => {
      // Runs in the service worker (no WebWorker types here).
      const sw = self as unknown as {
        registration: { getNotifications(): Promise<Notification[]> };
        dispatchEvent(e: Event): boolean;
        NotificationEvent: new (type: string, init: { notification: Notification; action: string }) => Event;
      };
      const [n] = (await sw.registration.getNotifications()).filter((x) => x.tag.startsWith('incident-'));
      if (!n) throw new Error('expected an incident notification, found undefined');
      try {
        sw.dispatchEvent(new sw.NotificationEvent('notificationclick', { notification: n, action: 'ack' }));
      } catch {
        // waitUntil refuses untrusted (synthetic) events after the handler has started the request.
      }
    });
    await expect.poll(async () => (await t.api('GET', '/api/v1/incidents/1')).body.incident.status, { timeout: 10_000 }).toBe('acknowledged');
    const timeline = (await t.api('GET', '/api/v1/incidents/1/timeline')).body.timeline as { type: string; message: string }[];
    expect(timeline.find((e) => e.type === 'incident.acknowledged')?.message).toContain('Maya Okafor');
    await context.close();
  });
});
