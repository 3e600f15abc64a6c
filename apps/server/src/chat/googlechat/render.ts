/**
 * Google Chat renderer: a message body for an incoming webhook (POST .../spaces/{space}/messages).
 * A page is a cardsV2 card (header with the incident number and title, service / severity / status
 * as decorated texts, details) with a button list: Acknowledge and Resolve run the Chat app's
 * action (`onClick.action.function` `klaxon_ack` / `klaxon_resolve`, parameter `incident` = the
 * incident id), Open incident opens its page. Every message carries a plain `text` fallback (what
 * notifications and clients without cards show). Card texts are HTML-escaped (cards take a subset of
 * HTML); in plain text, `<` is followed by a zero-width space, so `<users/all>` written in an alert
 * mentions nobody and `<url|text>` makes no link. Pure.
 */
import { alertsPhrase, availableActions, escapeHtml, excerpt, formatUtc, oneLine, pageHeadline, safeUrl, severityLabel, truncate } from '../../notify/render/common.js';
import type { Message } from '../../notify/types.js';

/** A rendered Google Chat message. */
export interface GoogleChatMessage {
  text: string;
  cardsV2?: { cardId: string; card: unknown }[];
}

/** The action function names of the page buttons. */
export const GOOGLECHAT_FUNCTIONS = { ack: 'klaxon_ack', resolve: 'klaxon_resolve', join: 'klaxon_join' } as const;

/** Plain message text: `<` cannot open a mention or a link. */
export function escapeGoogleChat(s: string): string {
  return s.replace(/</g, '<\u200b');
}

/** Google Chat takes up to 4,096 characters of text; cards stay well under its 32,000-byte message limit here. */
const MAX_TEXT = 4000;

const text = (t: string): GoogleChatMessage => ({ text: truncate(t, MAX_TEXT) });

const button = (label: string, action: 'ack' | 'resolve' | 'join', incidentId: string) => ({
  text: label,
  onClick: { action: { function: GOOGLECHAT_FUNCTIONS[action], parameters: [{ key: 'incident', value: incidentId }] } },
});

/** Renders any message for Google Chat. */
export function renderGoogleChat(msg: Message): GoogleChatMessage {
  switch (msg.kind) {
    case 'page': {
      const sev = severityLabel(msg.severity);
      const url = safeUrl(msg.incidentUrl);
      const a = availableActions(msg.status);
      const buttons = [
        ...(a.ack ? [button('Acknowledge', 'ack', msg.incidentId)] : []),
        ...(a.resolve ? [button('Resolve', 'resolve', msg.incidentId)] : []),
        ...(msg.major && msg.status !== 'resolved' ? [button('Join war room', 'join', msg.incidentId)] : []),
        ...(url ? [{ text: 'Open incident', onClick: { openLink: { url } } }] : []),
      ];
      const details = excerpt(msg.details, 10, 1500);
      const opened = formatUtc(msg.createdAt);
      const bridge = msg.bridgeUrl ? safeUrl(msg.bridgeUrl) : null;
      const widgets: unknown[] = [
        ...(msg.drill ? [{ textParagraph: { text: '<b>DRILL</b> - this is a drill, not a real incident.' } }] : []),
        { decoratedText: { topLabel: 'Service', text: escapeHtml(truncate(oneLine(msg.serviceName), 200)) || '-' } },
        { decoratedText: { topLabel: 'Severity', text: sev } },
        { decoratedText: { topLabel: 'Status', text: escapeHtml(oneLine(msg.status).toLowerCase()) || '-' } },
        ...(details ? [{ textParagraph: { text: escapeHtml(details) } }] : []),
        { textParagraph: { text: [alertsPhrase(msg.alertCount), opened && `opened ${opened}`].filter(Boolean).join(' · ') } },
        ...(bridge ? [{ textParagraph: { text: `Bridge: ${escapeHtml(bridge)}` } }] : []),
        ...(buttons.length ? [{ buttonList: { buttons } }] : []),
      ];
      return {
        text: escapeGoogleChat(truncate(pageHeadline(msg), MAX_TEXT)),
        cardsV2: [
          {
            cardId: `klaxon-${msg.incidentId}`.slice(0, 64),
            card: {
              header: { title: truncate(`#${msg.incidentNumber} ${oneLine(msg.title)}`, 200), subtitle: truncate(`${sev} · ${oneLine(msg.serviceName)}`, 200) },
              sections: [{ widgets }],
            },
          },
        ],
      };
    }
    case 'account':
      return text('A link to set your Klaxon password was sent by email.');
    case 'verification':
      return text(`Your Klaxon verification code is *${escapeGoogleChat(oneLine(msg.code))}*`);
    case 'test':
      return text(escapeGoogleChat(`Klaxon test notification for ${oneLine(msg.userName)}: Google Chat notifications reach you.`));
    case 'reply':
      return text(escapeGoogleChat(msg.text));
    case 'schedule':
      return text(`*${escapeGoogleChat(oneLine(msg.scheduleName))}* ${msg.url}\n${escapeGoogleChat(msg.text)}`);
    case 'report':
      return text(`*${escapeGoogleChat(oneLine(msg.summary))}* ${msg.url}\n${escapeGoogleChat(msg.text)}`);
    case 'status_update':
      return text(`*${escapeGoogleChat(oneLine(msg.subject))}* ${msg.url}\n${escapeGoogleChat(msg.text)}`);
  }
}
