/**
 * Email renderer: subject, plain-text and HTML bodies for every message kind. A page says what broke,
 * where and how bad, and carries big Acknowledge / Resolve buttons (signed, expiring links) and an
 * Open link. Every interpolated value is HTML-escaped; links that are not http(s) are dropped.
 */
import type { Message, PageMessage } from '../types.js';
import { emailBundle } from './bundle.js';
import { alertsPhrase, availableActions, escapeHtml, excerpt, formatUtc, oneLine, pageHeadline, safeUrl, severityLabel, truncate } from './common.js';

/** A rendered email. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe for status updates). */
  headers?: Record<string, string>;
}

const SEVERITY_COLORS: Record<string, string> = {
  CRITICAL: '#b91c1c',
  ERROR: '#dc2626',
  WARNING: '#b45309',
  INFO: '#1d4ed8',
};

const MAX_SUBJECT = 200;
const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/** Renders any message for the email channel (pure). */
export function renderEmail(msg: Message): RenderedEmail {
  switch (msg.kind) {
    case 'page':
      return renderPage(msg);
    case 'verification': {
      const code = oneLine(msg.code);
      const line = `Your Klaxon verification code is ${code}`;
      const text = `Hi ${oneLine(msg.userName)},\n\n${line}.\n\nEnter it in Klaxon to confirm this email address. If you did not ask for a code, you can ignore this email.\n\n-- Klaxon\n`;
      const body =
        `<p>Hi ${escapeHtml(oneLine(msg.userName))},</p>` +
        `<p>Your Klaxon verification code is</p>` +
        `<p style="font-size:32px;font-weight:bold;letter-spacing:6px;font-family:monospace">${escapeHtml(code)}</p>` +
        `<p>Enter it in Klaxon to confirm this email address. If you did not ask for a code, you can ignore this email.</p>`;
      return { subject: line, text, html: layout(line, body) };
    }
    case 'account': {
      const subject = msg.event === 'invite' ? 'You are invited to Klaxon' : 'Set a new Klaxon password';
      const what = msg.event === 'invite' ? 'You have a Klaxon account. Set your password to sign in' : 'Someone (hopefully you) asked to reset your Klaxon password. Set a new one';
      const ignore = msg.event === 'invite' ? '' : ' If you did not ask, ignore this email: your password stays as it is.';
      const text = `Hi ${oneLine(msg.userName)},\n\n${what}:\n\n${msg.url}\n\nThe link works once, for ${msg.validFor}.${ignore}\n\n-- Klaxon\n`;
      const body =
        `<p>Hi ${escapeHtml(oneLine(msg.userName))},</p>` +
        `<p>${escapeHtml(what)}:</p>` +
        `<p><a href="${escapeHtml(msg.url)}">Set your password</a></p>` +
        `<p>The link works once, for ${escapeHtml(msg.validFor)}.${escapeHtml(ignore)}</p>`;
      return { subject, text, html: layout(subject, body) };
    }
    case 'test': {
      const subject = 'Klaxon test notification';
      const text = `Hi ${oneLine(msg.userName)},\n\nThis is a test notification from Klaxon. If you can read it, Klaxon can reach you by email.\n\n-- Klaxon\n`;
      const body = `<p>Hi ${escapeHtml(oneLine(msg.userName))},</p>` + `<p>This is a test notification from Klaxon. If you can read it, Klaxon can reach you by email.</p>`;
      return { subject, text, html: layout(subject, body) };
    }
    case 'reply': {
      const subject = truncate(`${msg.drill ? '[DRILL] ' : ''}Klaxon: ${oneLine(msg.text)}`, 78);
      const text = `${msg.text}\n\n-- Klaxon\n`;
      const body = `<p style="white-space:pre-wrap">${escapeHtml(msg.text)}</p>`;
      return { subject, text, html: layout(subject, body) };
    }
    case 'schedule': {
      const subject = truncate(`[Klaxon] ${oneLine(msg.summary)}`, MAX_SUBJECT);
      const url = safeUrl(msg.url);
      const text = `Hi ${oneLine(msg.userName)},\n\n${msg.text}\n${url ? `\nSchedule: ${url}\n` : ''}\n-- Klaxon\n`;
      const body =
        `<p>Hi ${escapeHtml(oneLine(msg.userName))},</p><p style="white-space:pre-wrap">${escapeHtml(msg.text)}</p>` +
        (url ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px"><tr>${button(url, 'Open schedule', '#4b5563')}</tr></table>` : '');
      return { subject, text, html: layout(subject, body) };
    }
    case 'report': {
      const subject = truncate(`[Klaxon] ${oneLine(msg.summary)}`, MAX_SUBJECT);
      const url = safeUrl(msg.url);
      const text = `Hi ${oneLine(msg.userName)},\n\n${msg.text}\n${url ? `\nOpen in Klaxon: ${url}\n` : ''}\n-- Klaxon\n`;
      const body =
        `<p>Hi ${escapeHtml(oneLine(msg.userName))},</p><pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(msg.text)}</pre>` +
        (url ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px"><tr>${button(url, 'Open in Klaxon', '#4b5563')}</tr></table>` : '');
      return { subject, text, html: layout(subject, body) };
    }
    case 'status_update': {
      const subject = truncate(oneLine(msg.subject), MAX_SUBJECT);
      const url = safeUrl(msg.url);
      const unsub = msg.unsubscribeUrl ? safeUrl(msg.unsubscribeUrl) : null;
      const label = msg.event === 'confirm' ? 'Confirm subscription' : msg.event === 'reminder' ? 'Post an update' : 'View status';
      const text = `${msg.text}\n${url ? `\n${label}: ${url}\n` : ''}${unsub ? `\nUnsubscribe: ${unsub}\n` : ''}\n-- Klaxon\n`;
      const body =
        `<p style="white-space:pre-wrap">${escapeHtml(msg.text)}</p>` +
        (url ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px"><tr>${button(url, label, '#1d4ed8')}</tr></table>` : '') +
        (unsub ? `<p style="font-size:12px"><a href="${escapeHtml(unsub)}">Unsubscribe</a></p>` : '');
      // RFC 8058 one-click unsubscribe: mail clients POST List-Unsubscribe=One-Click to the URL.
      const headers = unsub ? { 'List-Unsubscribe': `<${unsub}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : undefined;
      return { subject, text, html: layout(subject, body), ...(headers && { headers }) };
    }
  }
}

function renderPage(msg: PageMessage): RenderedEmail {
  if (msg.bundle) {
    const b = emailBundle({ ...msg, bundle: msg.bundle });
    return { subject: b.subject, text: b.text, html: layout(b.subject, b.body) };
  }
  const sev = severityLabel(msg.severity);
  const title = oneLine(msg.title);
  const service = oneLine(msg.serviceName);
  const status = oneLine(msg.status).toLowerCase();
  const actions = availableActions(msg.status);
  const details = excerpt(msg.details, 20, 2000);
  const opened = formatUtc(msg.createdAt);
  const ackUrl = actions.ack ? safeUrl(msg.ackUrl) : null;
  const resolveUrl = actions.resolve ? safeUrl(msg.resolveUrl) : null;
  const openUrl = safeUrl(msg.incidentUrl);

  const subject = truncate(`${msg.drill ? '[DRILL] ' : ''}[Klaxon] ${pageHeadline({ ...msg, drill: false })}`, MAX_SUBJECT);

  const text: string[] = [];
  if (msg.drill) text.push('DRILL: this is a drill, not a real incident.', '');
  text.push(`${sev}: ${title}`);
  text.push(`Incident #${msg.incidentNumber} on ${service} is ${status}.`);
  text.push(`${alertsPhrase(msg.alertCount)}${opened ? `, opened ${opened}` : ''}.`);
  if (details) text.push('', 'Details:', details);
  text.push('');
  if (ackUrl) text.push(`Acknowledge: ${ackUrl}`);
  if (resolveUrl) text.push(`Resolve: ${resolveUrl}`);
  if (openUrl) text.push(`Open incident: ${openUrl}`);
  const bridgeUrl = msg.bridgeUrl ? safeUrl(msg.bridgeUrl) : null;
  if (bridgeUrl) text.push(`Join the bridge: ${bridgeUrl}`);
  text.push('', '-- Klaxon', '');

  const color = SEVERITY_COLORS[sev] ?? '#374151';
  const buttons: string[] = [];
  if (ackUrl) buttons.push(button(ackUrl, 'Acknowledge', '#15803d'));
  if (resolveUrl) buttons.push(button(resolveUrl, 'Resolve', '#1d4ed8'));
  if (openUrl) buttons.push(button(openUrl, 'Open incident', '#4b5563'));
  if (bridgeUrl) buttons.push(button(bridgeUrl, 'Join the bridge', '#7c3aed'));

  let body = '';
  if (msg.drill) {
    body += `<p style="margin:0 0 16px;padding:8px 12px;background:#fef3c7;border:1px solid #f59e0b;font-weight:bold">DRILL: this is a drill, not a real incident.</p>`;
  }
  body +=
    `<p style="margin:0 0 8px"><span style="display:inline-block;padding:4px 10px;border-radius:4px;background:${color};color:#ffffff;font-weight:bold;font-size:14px">${escapeHtml(sev)}</span></p>` +
    `<h1 style="margin:0 0 8px;font-size:22px;line-height:1.3">${escapeHtml(title)}</h1>` +
    `<p style="margin:0 0 4px;font-size:16px">Incident <strong>#${msg.incidentNumber}</strong> on <strong>${escapeHtml(service)}</strong> is <strong>${escapeHtml(status)}</strong>.</p>` +
    `<p style="margin:0 0 16px;color:#4b5563">${escapeHtml(alertsPhrase(msg.alertCount))}${opened ? `, opened ${escapeHtml(opened)}` : ''}.</p>`;
  if (details) {
    body += `<pre style="margin:0 0 16px;padding:12px;background:#f3f4f6;border-radius:4px;white-space:pre-wrap;word-break:break-word;font-size:13px">${escapeHtml(details)}</pre>`;
  }
  if (buttons.length > 0) {
    body += `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px"><tr>${buttons.join('')}</tr></table>`;
  }
  return { subject, text: text.join('\n'), html: layout(subject, body) };
}

/** A big, email-client-safe button (table cell + link). `url` must already be a safe URL. */
function button(url: string, label: string, color: string): string {
  return (
    `<td style="padding:0 12px 12px 0"><a href="${escapeHtml(url)}" target="_blank" ` +
    `style="display:inline-block;padding:14px 28px;border-radius:6px;background:${color};color:#ffffff;` +
    `font-family:${FONT};font-size:18px;font-weight:bold;text-decoration:none">${escapeHtml(label)}</a></td>`
  );
}

function layout(title: string, body: string): string {
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title></head>` +
    `<body style="margin:0;padding:24px;background:#ffffff;color:#111827;font-family:${FONT};font-size:15px;line-height:1.5">` +
    `<div style="max-width:600px">${body}<p style="margin:24px 0 0;color:#6b7280;font-size:12px">Sent by Klaxon.</p></div>` +
    `</body></html>`
  );
}
