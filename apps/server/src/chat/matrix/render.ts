/**
 * Matrix renderer: the content of an `m.room.message` event, plain `body` and HTML
 * `formatted_body` (escaped). Pages are `m.text` (they must notify) and carry the incident id in
 * `org.klaxon.incident`, so a 👍 reaction to the page acknowledges it. War-room messages are
 * `m.notice` (a bot's messages, which clients do not notify for); a priority message is `m.text`
 * with an `@room` mention (`m.mentions: {room: true}`), because the default push rules never notify
 * for an `m.notice`, mentions included. Every event has `m.mentions` (empty unless priority), so
 * names in a text never ping anyone. Pure.
 */
import { alertsPhrase, availableActions, escapeHtml, excerpt, formatUtc, oneLine, pageHeadline, safeUrl, severityLabel, truncate } from '../../notify/render/common.js';
import type { Message } from '../../notify/types.js';

/** The content of an m.room.message event. */
export interface MatrixContent {
  msgtype: 'm.text' | 'm.notice';
  body: string;
  format?: 'org.matrix.custom.html';
  formatted_body?: string;
  'm.mentions': { room?: boolean };
  'org.klaxon.incident'?: string;
}

/** Reactions that acknowledge the page they are on. */
export const QUICK_ACK_KEYS: ReadonlySet<string> = new Set(['👍', '👍️', '✅', '✔️']);

const MAX = 30_000;
const notice = (text: string): MatrixContent => ({ msgtype: 'm.notice', body: truncate(text, MAX), 'm.mentions': {} });

/** Renders any message for Matrix. */
export function renderMatrix(msg: Message): MatrixContent {
  switch (msg.kind) {
    case 'page': {
      const url = safeUrl(msg.incidentUrl);
      const bridge = msg.bridgeUrl ? safeUrl(msg.bridgeUrl) : undefined;
      const a = availableActions(msg.status);
      const how = [a.ack && `react 👍 or send !ack ${msg.incidentNumber} to acknowledge`, a.resolve && `!resolve ${msg.incidentNumber} to resolve`].filter(Boolean).join(', ');
      const details = excerpt(msg.details, 10, 1500);
      const opened = formatUtc(msg.createdAt);
      const lines = [
        ...(msg.drill ? ['DRILL - this is a drill, not a real incident.'] : []),
        pageHeadline(msg),
        `Service: ${oneLine(msg.serviceName)} · Severity: ${severityLabel(msg.severity)} · Status: ${oneLine(msg.status).toLowerCase()}`,
        [alertsPhrase(msg.alertCount), opened && `opened ${opened}`].filter(Boolean).join(' · '),
        ...(details ? [details] : []),
        ...(bridge ? [`Bridge: ${bridge}`] : []),
        ...(url ? [url] : []),
        ...(how ? [how.charAt(0).toUpperCase() + how.slice(1)] : []),
      ];
      const html = [
        ...(msg.drill ? ['<b>DRILL</b> - this is a drill, not a real incident.'] : []),
        `<b>${url ? `<a href="${escapeHtml(url)}">${escapeHtml(pageHeadline(msg))}</a>` : escapeHtml(pageHeadline(msg))}</b>`,
        escapeHtml(lines[msg.drill ? 2 : 1] ?? ''),
        escapeHtml(lines[msg.drill ? 3 : 2] ?? ''),
        ...(details ? [`<pre><code>${escapeHtml(details)}</code></pre>`] : []),
        ...(bridge ? [`Bridge: <a href="${escapeHtml(bridge)}">join the call</a>`] : []),
        ...(how ? [`<i>${escapeHtml(how.charAt(0).toUpperCase() + how.slice(1))}</i>`] : []),
      ];
      return {
        msgtype: 'm.text',
        body: truncate(lines.join('\n'), MAX),
        format: 'org.matrix.custom.html',
        formatted_body: truncate(html.join('<br>'), MAX),
        'm.mentions': {},
        'org.klaxon.incident': msg.incidentId,
      };
    }
    case 'reply':
      return msg.priority ? { msgtype: 'm.text', body: truncate(`@room ${msg.text}`, MAX), 'm.mentions': { room: true } } : notice(msg.text);
    case 'account':
      return notice('A link to set your Klaxon password was sent by email.');
    case 'verification':
      return { msgtype: 'm.text', body: `Your Klaxon verification code is ${oneLine(msg.code)}`, 'm.mentions': {} };
    case 'test':
      return { msgtype: 'm.text', body: `Klaxon test notification for ${oneLine(msg.userName)}: Matrix notifications reach you.`, 'm.mentions': {} };
    case 'schedule':
      return notice(`${oneLine(msg.scheduleName)} ${msg.url}\n${msg.text}`);
    case 'report':
      return notice(`${oneLine(msg.summary)} ${msg.url}\n${msg.text}`);
    case 'status_update':
      return notice(`${oneLine(msg.subject)} ${msg.url}\n${msg.text}`);
  }
}
