/**
 * Microsoft Teams renderer: every message is a Bot Framework message activity carrying one Adaptive
 * Card 1.4 (`{type: "message", attachments: [{contentType: "application/vnd.microsoft.card.adaptive",
 * content}]}`), the body a Workflows "When a Teams webhook request is received" flow posts and the
 * Bot Connector accepts. A page shows the incident (title, service, severity, status, details) with
 * an Open incident button (Action.OpenUrl); with `submit` (cards the bot itself posts) it also has
 * Acknowledge / Resolve buttons, and Join war room on a major incident (Action.Submit, data
 * `{action, incident}`), which Teams sends back to the bot. Texts are TextBlocks (Adaptive Cards render a Markdown subset: it is escaped). Pure.
 */
import { alertsPhrase, availableActions, excerpt, formatUtc, oneLine, pageHeadline, safeUrl, severityLabel, truncate } from '../../notify/render/common.js';
import type { Message } from '../../notify/types.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** A message activity with one Adaptive Card. */
export interface TeamsActivity {
  type: 'message';
  attachments: { contentType: typeof ADAPTIVE_CARD; content: Record<string, unknown> }[];
}

/** Escapes the Markdown Adaptive Cards render in TextBlocks, so a text reads as written. */
export function escapeTeams(s: string): string {
  return s.replace(/[\\*_[\]]/g, (c) => `\\${c}`).replace(/^(\s*)([-+]|\d+\.)/gm, (_m, sp: string, mark: string) => `${sp}\\${mark}`);
}

const block = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text, wrap: true, ...extra });
const card = (body: unknown[], actions: unknown[] = []): TeamsActivity => ({
  type: 'message',
  attachments: [
    {
      contentType: ADAPTIVE_CARD,
      content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, ...(actions.length && { actions }) },
    },
  ],
});
const text = (t: string) => card([block(escapeTeams(truncate(t, 4000)))]);

/** Renders any message for Teams; `submit`: Action.Submit buttons for the bot's own cards. */
export function renderTeams(msg: Message, o: { submit?: boolean } = {}): TeamsActivity {
  switch (msg.kind) {
    case 'page': {
      const sev = severityLabel(msg.severity);
      const url = safeUrl(msg.incidentUrl);
      const a = availableActions(msg.status);
      const details = excerpt(msg.details, 10, 1500);
      const opened = formatUtc(msg.createdAt);
      const actions = [
        ...(o.submit && a.ack ? [{ type: 'Action.Submit', title: 'Acknowledge', data: { action: 'ack', incident: msg.incidentId } }] : []),
        ...(o.submit && a.resolve ? [{ type: 'Action.Submit', title: 'Resolve', data: { action: 'resolve', incident: msg.incidentId } }] : []),
        ...(o.submit && msg.major && msg.status !== 'resolved' ? [{ type: 'Action.Submit', title: 'Join war room', data: { action: 'join', incident: msg.incidentId } }] : []),
        ...(url ? [{ type: 'Action.OpenUrl', title: 'Open incident', url }] : []),
      ];
      return card(
        [
          block(escapeTeams(truncate(pageHeadline(msg), 400)), { weight: 'Bolder', size: 'Medium', color: sev === 'CRITICAL' || sev === 'ERROR' ? 'Attention' : 'Default' }),
          ...(msg.drill ? [block('DRILL - this is a drill, not a real incident.', { color: 'Warning' })] : []),
          block(escapeTeams(truncate(`#${msg.incidentNumber} ${oneLine(msg.title)}`, 300)), { weight: 'Bolder' }),
          {
            type: 'FactSet',
            facts: [
              { title: 'Service', value: escapeTeams(truncate(oneLine(msg.serviceName), 200)) || '-' },
              { title: 'Severity', value: sev },
              { title: 'Status', value: escapeTeams(oneLine(msg.status).toLowerCase()) || '-' },
              ...(opened ? [{ title: 'Opened', value: opened }] : []),
              { title: 'Alerts', value: alertsPhrase(msg.alertCount) },
            ],
          },
          ...(details ? [block(escapeTeams(details), { fontType: 'Monospace', isSubtle: true })] : []),
        ],
        actions,
      );
    }
    case 'account':
      return text('A link to set your Klaxon password was sent by email.');
    case 'verification':
      return text(`Your Klaxon verification code is ${oneLine(msg.code)}`);
    case 'test':
      return text(`Klaxon test notification for ${oneLine(msg.userName)}: Microsoft Teams notifications reach you.`);
    case 'reply':
      return text(msg.text);
    case 'schedule':
      return text(`${oneLine(msg.scheduleName)} ${msg.url}\n${msg.text}`);
    case 'report':
      return text(`${oneLine(msg.summary)} ${msg.url}\n${msg.text}`);
    case 'status_update':
      return text(`${oneLine(msg.subject)} ${msg.url}\n${msg.text}`);
  }
}
