/**
 * Discord renderer: a message for POST /channels/{id}/messages. A page is an embed (title linking
 * to the incident, service / severity / status fields, details) with an action row of two buttons,
 * Acknowledge (custom_id `klaxon:ack:<incident id>`) and Resolve (`klaxon:resolve:<incident id>`),
 * and Join war room (`klaxon:join:<incident id>`) on a major incident.
 * Every message sets `allowed_mentions: {parse: []}`, so `@everyone` or a role written in an alert
 * or a chat message pings nobody; Markdown in texts is escaped. Content is at most 2000 characters. Pure.
 */
import { alertsPhrase, availableActions, excerpt, formatUtc, oneLine, pageHeadline, safeUrl, severityLabel, truncate } from '../../notify/render/common.js';
import type { Message } from '../../notify/types.js';

/** A rendered Discord message. */
export interface DiscordMessage {
  content: string;
  embeds?: unknown[];
  components?: unknown[];
  allowed_mentions: { parse: never[] };
}

const COLORS: Record<string, number> = { CRITICAL: 0xd32f2f, ERROR: 0xf57c00, WARNING: 0xfbc02d, INFO: 0x1976d2 };

/** Escapes Discord Markdown so a text reads as written. */
export function escapeDiscord(s: string): string {
  return s.replace(/[\\`*_~|>#[\]<]/g, (c) => `\\${c}`);
}

/** The custom_id of a page button. */
export function discordButtonId(action: 'ack' | 'resolve' | 'join', incidentId: string): string {
  return `klaxon:${action}:${incidentId}`;
}

const text = (content: string): DiscordMessage => ({ content: truncate(content, 2000), allowed_mentions: { parse: [] } });

/** Renders any message for Discord. */
export function renderDiscord(msg: Message): DiscordMessage {
  switch (msg.kind) {
    case 'page': {
      const sev = severityLabel(msg.severity);
      const url = safeUrl(msg.incidentUrl);
      const a = availableActions(msg.status);
      const buttons = [
        ...(a.ack ? [{ type: 2, style: 1, label: 'Acknowledge', custom_id: discordButtonId('ack', msg.incidentId) }] : []),
        ...(a.resolve ? [{ type: 2, style: 4, label: 'Resolve', custom_id: discordButtonId('resolve', msg.incidentId) }] : []),
        ...(msg.major && msg.status !== 'resolved' ? [{ type: 2, style: 2, label: 'Join war room', custom_id: discordButtonId('join', msg.incidentId) }] : []),
        ...(url ? [{ type: 2, style: 5, label: 'Open incident', url }] : []),
      ];
      const details = excerpt(msg.details, 10, 1500);
      const opened = formatUtc(msg.createdAt);
      const description = [
        ...(msg.drill ? ['**DRILL** - this is a drill, not a real incident.'] : []),
        ...(details ? ['```\n' + details.replace(/```/g, "'''") + '\n```'] : []),
        [alertsPhrase(msg.alertCount), opened && `opened ${opened}`].filter(Boolean).join(' · '),
        ...(msg.bridgeUrl && safeUrl(msg.bridgeUrl) ? [`**Bridge:** ${safeUrl(msg.bridgeUrl)}`] : []),
      ].join('\n');
      return {
        content: escapeDiscord(truncate(pageHeadline(msg), 1900)),
        embeds: [
          {
            title: truncate(`#${msg.incidentNumber} ${oneLine(msg.title)}`, 256),
            ...(url && { url }),
            description: truncate(description, 4096),
            color: COLORS[sev] ?? 0x9e9e9e,
            fields: [
              { name: 'Service', value: truncate(oneLine(msg.serviceName), 1024) || '-', inline: true },
              { name: 'Severity', value: sev, inline: true },
              { name: 'Status', value: truncate(oneLine(msg.status).toLowerCase(), 1024) || '-', inline: true },
            ],
          },
        ],
        components: buttons.length ? [{ type: 1, components: buttons }] : [],
        allowed_mentions: { parse: [] },
      };
    }
    case 'account':
      return text('A link to set your Klaxon password was sent by email.');
    case 'verification':
      return text(`Your Klaxon verification code is **${escapeDiscord(oneLine(msg.code))}**`);
    case 'test':
      return text(escapeDiscord(`Klaxon test notification for ${oneLine(msg.userName)}: Discord notifications reach you.`));
    case 'reply':
      return text(escapeDiscord(msg.text));
    case 'schedule':
      return text(`**${escapeDiscord(oneLine(msg.scheduleName))}** ${msg.url}\n${escapeDiscord(msg.text)}`);
    case 'report':
      return text(`**${escapeDiscord(oneLine(msg.summary))}** ${msg.url}\n${escapeDiscord(msg.text)}`);
    case 'status_update':
      return text(`**${escapeDiscord(oneLine(msg.subject))}** ${msg.url}\n${escapeDiscord(msg.text)}`);
  }
}
