/**
 * Webhook renderer: a stable, versioned JSON document per message kind. Fields are only ever added,
 * never renamed or removed, so receivers can rely on them:
 *   { version: 1, event: 'incident.page', drill, text, incident: { id, number, title, service,
 *     severity, status, url, details, alertCount, createdAt }, actions: { acknowledgeUrl, resolveUrl } }
 *   { version: 1, event: 'contact.verification', text, code, user: { name } }
 *   { version: 1, event: 'notification.test', text, user: { name } }
 *   { version: 1, event: 'notification.reply', text }
 *   { version: 1, event: 'schedule.handoff' | 'schedule.gap', notice: 'upcoming' | 'start' | 'gap', text, summary,
 *     schedule: { id, name, url }, user: { name }, start, end }
 *   { version: 1, event: 'report.weekly-summary' | 'report.sla-warning' | 'report.action-item-due', summary, text, url, user: { name } }
 */
import type { Message } from '../types.js';
import { pageHeadline } from './common.js';

/** Event names a webhook document can carry. */
export type WebhookEvent =
  | 'incident.page'
  | 'contact.verification'
  | 'notification.test'
  | 'notification.reply'
  | 'schedule.handoff'
  | 'schedule.gap'
  | 'report.weekly-summary'
  | 'report.sla-warning'
  | 'report.action-item-due'
  | 'status.update'
  | 'status.reminder'
  | 'status.confirm';

/** Version of the webhook document layout. */
export const WEBHOOK_DOCUMENT_VERSION = 1;

/** Renders any message as the JSON document POSTed to a webhook (pure). */
export function renderWebhook(msg: Message): Record<string, unknown> {
  switch (msg.kind) {
    case 'page':
      return {
        version: WEBHOOK_DOCUMENT_VERSION,
        event: 'incident.page' satisfies WebhookEvent,
        drill: msg.drill === true,
        text: pageHeadline(msg),
        ...(msg.bridgeUrl && { bridgeUrl: msg.bridgeUrl }),
        incident: {
          id: msg.incidentId,
          number: msg.incidentNumber,
          title: msg.title,
          service: msg.serviceName,
          severity: msg.severity,
          status: msg.status,
          url: msg.incidentUrl,
          details: msg.details,
          alertCount: msg.alertCount,
          createdAt: Number.isFinite(msg.createdAt) ? new Date(msg.createdAt).toISOString() : null,
        },
        actions: { acknowledgeUrl: msg.ackUrl, resolveUrl: msg.resolveUrl },
      };
    case 'account':
      // Only ever sent by email; a webhook never carries the one-time secret.
      return { version: WEBHOOK_DOCUMENT_VERSION, event: 'notification.reply' satisfies WebhookEvent, text: 'A link to set your Klaxon password was sent by email.', user: { name: msg.userName } };
    case 'verification':
      return {
        version: WEBHOOK_DOCUMENT_VERSION,
        event: 'contact.verification' satisfies WebhookEvent,
        text: `Your Klaxon verification code is ${msg.code}`,
        code: msg.code,
        user: { name: msg.userName },
      };
    case 'test':
      return {
        version: WEBHOOK_DOCUMENT_VERSION,
        event: 'notification.test' satisfies WebhookEvent,
        text: `Klaxon test notification for ${msg.userName}: webhook notifications reach you.`,
        user: { name: msg.userName },
      };
    case 'reply':
      return { version: WEBHOOK_DOCUMENT_VERSION, event: 'notification.reply' satisfies WebhookEvent, text: msg.text };
    case 'schedule':
      return {
        version: WEBHOOK_DOCUMENT_VERSION,
        event: (msg.event === 'gap' ? 'schedule.gap' : 'schedule.handoff') satisfies WebhookEvent,
        notice: msg.event === 'gap' ? 'gap' : msg.event === 'handoff.upcoming' ? 'upcoming' : 'start',
        text: msg.text,
        summary: msg.summary,
        schedule: { id: msg.scheduleId, name: msg.scheduleName, url: msg.url },
        user: { name: msg.userName },
        start: new Date(msg.start).toISOString(),
        end: msg.end === null ? null : new Date(msg.end).toISOString(),
      };
    case 'report':
      return { version: WEBHOOK_DOCUMENT_VERSION, event: `report.${msg.event}` satisfies WebhookEvent, summary: msg.summary, text: msg.text, url: msg.url, user: { name: msg.userName } };
    case 'status_update':
      return {
        version: WEBHOOK_DOCUMENT_VERSION,
        event: `status.${msg.event}` satisfies WebhookEvent,
        subject: msg.subject,
        text: msg.text,
        url: msg.url,
        incidentId: msg.incidentId,
        phase: msg.phase,
      };
  }
}
