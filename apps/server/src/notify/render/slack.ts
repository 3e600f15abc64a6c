/**
 * Slack renderer: Block Kit for chat.postMessage. A page is a section (title, service, severity,
 * status), optional details and a context line, then an actions block with Acknowledge
 * (`klaxon_ack`, primary) / Resolve (`klaxon_resolve`, danger) buttons whose value is the incident id,
 * and a link button to the incident. `text` is the notification fallback. mrkdwn is escaped.
 */
import type { Message } from '../types.js';
import { alertsPhrase, availableActions, escapeSlack, excerpt, formatUtc, oneLine, pageHeadline, safeUrl, severityLabel, truncate } from './common.js';

/** Slack action ids carried by the page buttons; the interactivity handler dispatches on these. */
export const SLACK_ACTIONS = { ack: 'klaxon_ack', resolve: 'klaxon_resolve', open: 'klaxon_open' } as const;

/** block_id of the actions block on a page. */
export const SLACK_ACTIONS_BLOCK_ID = 'klaxon_incident_actions';

/** A rendered Slack message: fallback text plus Block Kit blocks. */
export interface RenderedSlack {
  text: string;
  blocks: unknown[];
}

const SEVERITY_EMOJI: Record<string, string> = {
  CRITICAL: ':red_circle:',
  ERROR: ':large_orange_circle:',
  WARNING: ':large_yellow_circle:',
  INFO: ':large_blue_circle:',
};

// Block Kit limits: section text 3000 chars, button text 75, button value 2000, fallback text ~40000.
const MAX_SECTION = 3000;

/**
 * Renders any message for Slack (pure). The top-level `text` (the notification and fallback) is
 * mrkdwn to Slack like the blocks, so it is escaped the same way: `<!channel>` written in a chat
 * message or an alert title reaches Slack as text, never as a mention or a link.
 */
export function renderSlack(msg: Message): RenderedSlack {
  const r = renderBlocks(msg);
  return { text: escapeSlack(r.text), blocks: r.blocks };
}

function renderBlocks(msg: Message): RenderedSlack {
  switch (msg.kind) {
    case 'page': {
      const sev = severityLabel(msg.severity);
      const title = oneLine(msg.title);
      const url = safeUrl(msg.incidentUrl);
      const a = availableActions(msg.status);
      const titleText = url ? `<${url}|#${msg.incidentNumber} ${escapeSlack(truncate(title, 300))}>` : `#${msg.incidentNumber} ${escapeSlack(truncate(title, 300))}`;
      const lines = [
        ...(msg.drill ? [':rotating_light: *DRILL* - this is a drill, not a real incident.'] : []),
        `${SEVERITY_EMOJI[sev] ?? ':white_circle:'} *${titleText}*`,
        `*Service:* ${escapeSlack(oneLine(msg.serviceName))}   *Severity:* ${escapeSlack(sev)}   *Status:* ${escapeSlack(oneLine(msg.status).toLowerCase())}`,
        ...(msg.bridgeUrl && safeUrl(msg.bridgeUrl) ? [`*Bridge:* <${safeUrl(msg.bridgeUrl)}|join the call>`] : []),
      ];
      const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), MAX_SECTION) } }];
      const details = excerpt(msg.details, 10, 1500);
      if (details) {
        blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '```' + escapeSlack(details).replace(/```/g, "'''") + '```' } });
      }
      const opened = formatUtc(msg.createdAt);
      const fallbackDate = opened || 'unknown time';
      const when = Number.isFinite(msg.createdAt) ? `opened <!date^${Math.floor(msg.createdAt / 1000)}^{date_short_pretty} {time}|${fallbackDate}>` : '';
      blocks.push({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: [alertsPhrase(msg.alertCount), when].filter(Boolean).join(' · ') }],
      });
      const elements: unknown[] = [];
      if (a.ack) {
        elements.push({ type: 'button', action_id: SLACK_ACTIONS.ack, text: { type: 'plain_text', text: 'Acknowledge' }, style: 'primary', value: msg.incidentId });
      }
      if (a.resolve) {
        elements.push({ type: 'button', action_id: SLACK_ACTIONS.resolve, text: { type: 'plain_text', text: 'Resolve' }, style: 'danger', value: msg.incidentId });
      }
      if (url) {
        elements.push({ type: 'button', action_id: SLACK_ACTIONS.open, text: { type: 'plain_text', text: 'Open incident' }, url, value: msg.incidentId });
      }
      if (elements.length > 0) blocks.push({ type: 'actions', block_id: SLACK_ACTIONS_BLOCK_ID, elements });
      return { text: truncate(pageHeadline(msg), 3000), blocks };
    }
    case 'account': {
      // Only ever sent by email; Slack never carries the one-time secret.
      const text = 'A link to set your Klaxon password was sent by email.';
      return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
    }
    case 'verification': {
      const text = `Your Klaxon verification code is ${oneLine(msg.code)}`;
      return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `Your Klaxon verification code is *${escapeSlack(oneLine(msg.code))}*` } }] };
    }
    case 'test': {
      const text = `Klaxon test notification for ${oneLine(msg.userName)}: Slack notifications reach you.`;
      return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: escapeSlack(text) } }] };
    }
    case 'reply':
      return { text: msg.text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(escapeSlack(msg.text), MAX_SECTION) } }] };
    case 'schedule': {
      const url = safeUrl(msg.url);
      const head = url ? `<${url}|${escapeSlack(oneLine(msg.scheduleName))}>` : escapeSlack(oneLine(msg.scheduleName));
      return { text: oneLine(msg.summary), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`:calendar: *${head}*\n${escapeSlack(msg.text)}`, MAX_SECTION) } }] };
    }
    case 'report': {
      const url = safeUrl(msg.url);
      const head = url ? `<${url}|${escapeSlack(oneLine(msg.summary))}>` : escapeSlack(oneLine(msg.summary));
      return { text: oneLine(msg.summary), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`:bar_chart: *${head}*\n${escapeSlack(msg.text)}`, MAX_SECTION) } }] };
    }
    case 'status_update': {
      const url = safeUrl(msg.url);
      const head = url ? `<${url}|${escapeSlack(oneLine(msg.subject))}>` : escapeSlack(oneLine(msg.subject));
      return { text: oneLine(msg.subject), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(`:loudspeaker: *${head}*\n${escapeSlack(msg.text)}`, MAX_SECTION) } }] };
    }
  }
}
