/**
 * Web Push renderer: the JSON the service worker receives in its `push` event and turns into a
 * notification. Pure. Layout (fields are only ever added):
 *   { kind: 'page' | 'verification' | 'test' | 'reply' | 'schedule', title, body, tag, url,
 *     requireInteraction, renotify, actions: [{action, title}], timestamp,
 *     // pages: incidentId, incidentNumber, ackUrl (signed, expiring; POST it to acknowledge),
 *     //        severity, status, serviceName, drill
 *     // verification: code }
 * The whole document stays under {@link PUSH_MAX_PAYLOAD_BYTES} (Web Push carries at most 4 KB).
 */
import { alertsPhrase, excerpt, oneLine, pageHeadline, severityLabel, truncate } from '../../render/common.js';
import { pushBundle } from '../../render/bundle.js';
import type { Message } from '../../types.js';
import { must } from '../../../lib/must.js';

/** A notification action button, as in the Notifications API. */
export interface PushAction {
  action: 'ack' | 'open';
  title: string;
}

/** What Klaxon sends to a push subscription (before encryption). */
export interface PushPayload {
  kind: Message['kind'];
  title: string;
  body: string;
  /** Notifications with the same tag replace each other (one per incident). */
  tag: string;
  /** Where a click (or the Open action) goes. */
  url: string;
  /** Keep the notification up until the person acts on it (where the platform allows). */
  requireInteraction: boolean;
  /** Alert again when a notification with the same tag replaces an earlier one. */
  renotify: boolean;
  actions: PushAction[];
  /** When it happened, epoch ms. */
  timestamp: number;
  incidentId?: string;
  incidentNumber?: number;
  /** Signed, expiring link: POST to it to acknowledge without a session (lock screen). */
  ackUrl?: string;
  severity?: string;
  status?: string;
  serviceName?: string;
  drill?: boolean;
  /** The one-time code of a verification message. */
  code?: string;
}

/** Largest serialized payload we send; aes128gcm in one 4096-byte record leaves 3993 bytes of plaintext. */
export const PUSH_MAX_PAYLOAD_BYTES = 3800;

/** The Acknowledge and Open buttons of a page. */
export const PAGE_ACTIONS: readonly PushAction[] = [
  { action: 'ack', title: 'Acknowledge' },
  { action: 'open', title: 'Open' },
];

/** Renders a message for Web Push; `baseUrl` is Klaxon's public URL (for messages without a link of their own). */
export function renderPush(msg: Message, baseUrl: string, now: number): PushPayload {
  const base = baseUrl.replace(/\/+$/, '');
  switch (msg.kind) {
    case 'page': {
      if (msg.bundle) {
        // A bundle: every incident a line, one Acknowledge that acknowledges them all.
        const b = pushBundle(msg.bundle);
        return fit({
          kind: 'page',
          title: b.title,
          body: b.body,
          tag: `bundle-${msg.bundle.id}`,
          url: msg.incidentUrl,
          requireInteraction: true,
          renotify: true,
          actions: [{ action: 'ack', title: `Acknowledge all ${msg.bundle.items.length}` }, must(PAGE_ACTIONS[1], 'PAGE_ACTIONS[1]')],
          timestamp: Number.isFinite(msg.createdAt) ? msg.createdAt : now,
          incidentId: msg.incidentId,
          incidentNumber: msg.incidentNumber,
          ackUrl: msg.ackUrl,
          severity: msg.severity,
          status: msg.status,
          serviceName: msg.serviceName,
          drill: msg.drill === true,
        });
      }
      const lines = [`${oneLine(msg.serviceName)} · ${severityLabel(msg.severity)} · ${alertsPhrase(msg.alertCount)}`];
      const details = excerpt(msg.details, 4, 600);
      if (details) lines.push(details);
      return fit({
        kind: 'page',
        title: truncate(pageHeadline(msg), 200),
        body: lines.join('\n'),
        tag: `incident-${msg.incidentId}`,
        url: msg.incidentUrl,
        requireInteraction: true,
        renotify: true,
        actions: [...PAGE_ACTIONS],
        timestamp: Number.isFinite(msg.createdAt) ? msg.createdAt : now,
        incidentId: msg.incidentId,
        incidentNumber: msg.incidentNumber,
        ackUrl: msg.ackUrl,
        severity: msg.severity,
        status: msg.status,
        serviceName: msg.serviceName,
        drill: msg.drill === true,
      });
    }
    case 'verification':
      return {
        kind: 'verification',
        title: 'Klaxon verification code',
        body: `Your Klaxon verification code is ${msg.code}. Enter it in Klaxon to start getting pages on this device.`,
        tag: 'klaxon-verification',
        url: `${base}/`,
        requireInteraction: true,
        renotify: true,
        actions: [],
        timestamp: now,
        code: msg.code,
      };
    case 'test':
      return {
        kind: 'test',
        title: 'Klaxon test page',
        body: `Hello ${truncate(oneLine(msg.userName), 100)}: this is a test. Pages will reach you on this device.`,
        tag: 'klaxon-test',
        url: `${base}/`,
        requireInteraction: true,
        renotify: true,
        actions: [{ action: 'open', title: 'Open' }],
        timestamp: now,
      };
    case 'reply':
      return fit({
        kind: 'reply',
        title: msg.drill ? 'DRILL Klaxon' : 'Klaxon',
        body: truncate(msg.text, 1000),
        tag: 'klaxon-reply',
        url: `${base}/`,
        requireInteraction: false,
        renotify: false,
        actions: [],
        timestamp: now,
      });
    default: {
      // Notices (schedule hand-offs and gaps) and any kind added later: title, text and a link.
      const m = msg as { kind: Message['kind']; summary?: string; text?: string; url?: string; scheduleId?: string; scheduleName?: string };
      return fit({
        kind: m.kind,
        title: truncate(oneLine(m.scheduleName ? `Klaxon · ${m.scheduleName}` : 'Klaxon'), 200),
        body: truncate(m.text ?? m.summary ?? '', 1000),
        tag: m.scheduleId ? `schedule-${m.scheduleId}` : `klaxon-${m.kind}`,
        url: m.url ?? `${base}/`,
        requireInteraction: false,
        renotify: false,
        actions: [{ action: 'open', title: 'Open' }],
        timestamp: now,
      });
    }
  }
}

/** Shortens the body, then the title, until the serialized payload fits. */
function fit(p: PushPayload): PushPayload {
  const size = () => Buffer.byteLength(JSON.stringify(p));
  while (size() > PUSH_MAX_PAYLOAD_BYTES && p.body.length > 0) p.body = truncate(p.body, Math.floor(p.body.length * 0.7), '…');
  while (size() > PUSH_MAX_PAYLOAD_BYTES && p.title.length > 20) p.title = truncate(p.title, Math.floor(p.title.length * 0.7), '…');
  return p;
}
