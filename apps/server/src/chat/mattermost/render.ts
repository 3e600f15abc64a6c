/**
 * Mattermost renderer: a post (`message` in Markdown, `props`) for POST /api/v4/posts. A page is one
 * message attachment (title linking to the incident, service / severity / status fields, details)
 * with interactive message buttons Acknowledge and Resolve (and Join war room on a major incident): integration actions whose `context`
 * carries the action, the incident id and a per-action secret (HMAC of both), which the actions
 * endpoint checks. Every post sets `disable_group_highlight`, so `@channel` or `@all` written in an
 * alert or a chat message never notifies a whole channel; Markdown in texts is escaped. Pure.
 */
import { alertsPhrase, availableActions, excerpt, formatUtc, oneLine, pageHeadline, safeUrl, severityLabel, truncate } from '../../notify/render/common.js';
import type { Message } from '../../notify/types.js';

/** A rendered post: Markdown message and props (attachments, flags). */
export interface MattermostPost {
  message: string;
  props: Record<string, unknown>;
}

/** What an action button carries back (integration.context). */
export interface MattermostActionContext {
  action: 'ack' | 'resolve' | 'join';
  incident: string;
  secret: string;
}

/** The URL buttons call and the secret of one (action, incident). */
export interface MattermostActionSigner {
  url: string;
  secret(action: 'ack' | 'resolve' | 'join', incidentId: string): string;
}

const COLORS: Record<string, string> = { CRITICAL: '#d32f2f', ERROR: '#f57c00', WARNING: '#fbc02d', INFO: '#1976d2' };
// A post's message is limited to 16383 characters.
const MAX_MESSAGE = 16_000;

/** Escapes the characters Mattermost Markdown treats as markup, so a text reads as written. */
export function escapeMattermost(s: string): string {
  return s.replace(/[\\`*_~[\]()#>|<!-]/g, (c) => `\\${c}`).replace(/@/g, '@\u200b');
}

/** Renders any message for Mattermost. */
export function renderMattermost(msg: Message, actions: MattermostActionSigner): MattermostPost {
  const base = { disable_group_highlight: true };
  switch (msg.kind) {
    case 'page': {
      const sev = severityLabel(msg.severity);
      const url = safeUrl(msg.incidentUrl);
      const a = availableActions(msg.status);
      const buttons: unknown[] = [];
      const button = (id: string, name: string, style: string, action: 'ack' | 'resolve' | 'join') => ({
        id,
        type: 'button',
        name,
        style,
        integration: { url: actions.url, context: { action, incident: msg.incidentId, secret: actions.secret(action, msg.incidentId) } satisfies MattermostActionContext },
      });
      if (a.ack) buttons.push(button('klaxonack', 'Acknowledge', 'primary', 'ack'));
      if (a.resolve) buttons.push(button('klaxonresolve', 'Resolve', 'danger', 'resolve'));
      if (msg.major && msg.status !== 'resolved') buttons.push(button('klaxonjoin', 'Join war room', 'default', 'join'));
      const details = excerpt(msg.details, 10, 1500);
      const opened = formatUtc(msg.createdAt);
      const text = [
        ...(msg.drill ? ['**DRILL** - this is a drill, not a real incident.'] : []),
        ...(details ? ['```\n' + details.replace(/```/g, "'''") + '\n```'] : []),
        [alertsPhrase(msg.alertCount), opened && `opened ${opened}`].filter(Boolean).join(' · '),
        ...(msg.bridgeUrl && safeUrl(msg.bridgeUrl) ? [`**Bridge:** [join the call](${safeUrl(msg.bridgeUrl)})`] : []),
      ].join('\n');
      const headline = truncate(pageHeadline(msg), 3000);
      return {
        message: escapeMattermost(headline),
        props: {
          ...base,
          attachments: [
            {
              fallback: headline,
              color: COLORS[sev] ?? '#9e9e9e',
              title: truncate(`#${msg.incidentNumber} ${oneLine(msg.title)}`, 250),
              ...(url && { title_link: url }),
              text,
              fields: [
                { short: true, title: 'Service', value: escapeMattermost(oneLine(msg.serviceName)) },
                { short: true, title: 'Severity', value: sev },
                { short: true, title: 'Status', value: escapeMattermost(oneLine(msg.status).toLowerCase()) },
              ],
              actions: buttons,
            },
          ],
        },
      };
    }
    case 'account':
      return { message: 'A link to set your Klaxon password was sent by email.', props: base };
    case 'verification':
      return { message: `Your Klaxon verification code is **${escapeMattermost(oneLine(msg.code))}**`, props: base };
    case 'test':
      return { message: escapeMattermost(`Klaxon test notification for ${oneLine(msg.userName)}: Mattermost notifications reach you.`), props: base };
    case 'reply':
      return { message: truncate(escapeMattermost(msg.text), MAX_MESSAGE), props: base };
    case 'schedule':
      return { message: truncate(link(msg.scheduleName, msg.url) + '\n' + escapeMattermost(msg.text), MAX_MESSAGE), props: base };
    case 'report':
      return { message: truncate(link(msg.summary, msg.url) + '\n' + escapeMattermost(msg.text), MAX_MESSAGE), props: base };
    case 'status_update':
      return { message: truncate(link(msg.subject, msg.url) + '\n' + escapeMattermost(msg.text), MAX_MESSAGE), props: base };
  }
}

function link(title: string, url: string): string {
  const safe = safeUrl(url);
  const t = `**${escapeMattermost(oneLine(title))}**`;
  return safe ? `[${t}](${safe})` : t;
}
