/**
 * Bundled pages (docs/paging.md, "Storms"): one message that names several incidents for one person
 * on one contact method, with one action that acknowledges them all. Pure. Every incident of the
 * bundle is either named (its number) or counted ("+12 more"), and each channel stays within its
 * limits: SMS three concatenated segments, voice a count and the first few, email every incident,
 * push the Web Push payload limit (the push renderer fits it).
 */
import type { BundleItem, PageBundle, PageMessage } from '../types.js';
import { escapeHtml, oneLine, safeUrl, severityLabel, truncate } from './common.js';
import { must } from '../../lib/must.js';

/** Three concatenated GSM-7 segments (153 characters each once the concatenation header is in). */
export const SMS_BUNDLE_MAX = 3 * 153;
/** Incidents a voice call names before it says how many more there are. */
export const VOICE_BUNDLE_NAMED = 3;
/** Incidents an email names before "and N more" (an inbox takes long lists; this bounds the size). */
export const EMAIL_BUNDLE_NAMED = 2000;
/** Characters of one title in an SMS bundle. */
export const SMS_BUNDLE_TITLE = 40;

/** "checkout-api, payments-worker" — distinct services in order, at most `max`, then "+N more services". */
export function bundleServices(items: readonly BundleItem[], max = 3): string {
  const names = [...new Set(items.map((i) => oneLine(i.serviceName) || 'unknown service'))];
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more services` : shown;
}

/** "5 new incidents on checkout-api, payments-worker" (DRILL first when every incident is a drill). */
export function bundleHeadline(items: readonly BundleItem[]): string {
  const drill = items.length > 0 && items.every((i) => i.drill) ? 'DRILL ' : '';
  return `${drill}${items.length} new incident${items.length === 1 ? '' : 's'} on ${bundleServices(items)}`;
}

/** Voice: what is read out (a count and the first {@link VOICE_BUNDLE_NAMED}), without the key prompts. */
export function speakBundle(b: PageBundle): string {
  const n = b.items.length;
  const parts: string[] = [];
  if (b.items.every((i) => i.drill)) parts.push('This is a drill.');
  parts.push(`This is Klaxon. ${n} new incident${n === 1 ? '' : 's'} on ${bundleServices(b.items, 2)}.`);
  for (const it of b.items.slice(0, VOICE_BUNDLE_NAMED)) {
    parts.push(`Incident ${it.incidentNumber}, ${oneLine(it.severity).toLowerCase() || 'unknown severity'}: ${truncate(oneLine(it.title), 80)}.`);
  }
  if (n > VOICE_BUNDLE_NAMED) parts.push(`And ${n - VOICE_BUNDLE_NAMED} more.`);
  return parts.join(' ');
}

/** The prompt of a bundled call: 4 acknowledges every incident in it. */
export function voiceBundlePrompt(b: PageBundle, ackDigit: string, repeatDigit: string): string {
  return `Press ${ackDigit} to acknowledge all ${b.items.length}. Press ${repeatDigit} to repeat.`;
}

/** Email: subject, text and the HTML body (inside the email layout) listing every incident. */
export function emailBundle(msg: PageMessage & { bundle: PageBundle }): { subject: string; text: string; body: string } {
  const b = msg.bundle;
  const headline = bundleHeadline(b.items);
  const subject = truncate(`[Klaxon] ${headline}`, 200);
  const ackUrl = safeUrl(msg.ackUrl);
  const shown = b.items.slice(0, EMAIL_BUNDLE_NAMED);
  const rest = b.items.length - shown.length;
  const line = (it: BundleItem) => `#${it.incidentNumber} ${severityLabel(it.severity)} ${oneLine(it.serviceName)}: ${oneLine(it.title)}`;
  const text: string[] = [`${headline}.`, '', 'Pages for these incidents were held back or came together, so they arrive in one message:', ''];
  for (const it of shown) text.push(`${line(it)}${safeUrl(it.incidentUrl) ? `\n  ${safeUrl(it.incidentUrl)}` : ''}`);
  if (rest) text.push(`... and ${rest} more.`);
  text.push('');
  if (ackUrl) text.push(`Acknowledge all ${b.items.length}: ${ackUrl}`);
  text.push('', '-- Klaxon', '');
  const rows = shown
    .map((it) => {
      const url = safeUrl(it.incidentUrl);
      const label = escapeHtml(line(it));
      return `<li style="margin:0 0 4px">${url ? `<a href="${escapeHtml(url)}">${label}</a>` : label}</li>`;
    })
    .join('');
  const body =
    `<h1 style="margin:0 0 8px;font-size:22px;line-height:1.3">${escapeHtml(headline)}</h1>` +
    `<p style="margin:0 0 12px;color:#4b5563">Pages for these incidents were held back or came together, so they arrive in one message.</p>` +
    `<ul style="margin:0 0 16px;padding-left:20px">${rows}</ul>` +
    (rest ? `<p>... and ${rest} more.</p>` : '') +
    (ackUrl
      ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px"><tr><td style="padding:0 12px 12px 0"><a href="${escapeHtml(ackUrl)}" target="_blank" style="display:inline-block;padding:14px 28px;border-radius:6px;background:#15803d;color:#ffffff;font-size:18px;font-weight:bold;text-decoration:none">Acknowledge all ${b.items.length}</a></td></tr></table>`
      : '');
  return { subject, text: text.join('\n'), body };
}

/** Push: title and body lines (the push renderer fits the payload). */
export function pushBundle(b: PageBundle): { title: string; body: string } {
  const lines = b.items.map((it) => `#${it.incidentNumber} ${truncate(oneLine(it.serviceName), 40)}: ${truncate(oneLine(it.title), 80)}`);
  return { title: truncate(bundleHeadline(b.items), 200), body: lines.join('\n') };
}

/**
 * A list of the bundle's incidents, one line each (`#12 checkout-api: DB down`), as many as fit in
 * `max` characters together with `head` and `tail`, then "+N more"; every incident is named or counted.
 * The result (head, list, tail) is at most `max` characters.
 */
export function bundleLines(b: PageBundle, max: number, head: string, tail: string): string {
  const n = b.items.length;
  const h = truncate(head, Math.floor(max / 3));
  const t = truncate(tail, Math.floor(max / 3));
  const top = h ? [h] : [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const it = must(b.items[i], 'b.items[i]');
    const line = `#${it.incidentNumber} ${truncate(oneLine(it.serviceName) || 'unknown service', 40)}: ${truncate(oneLine(it.title) || 'untitled', 80)}`;
    const rest = n - i - 1;
    const more = rest > 0 ? `\n+${rest} more` : '';
    if ([...top, ...lines, line].join('\n').length + more.length + (t ? t.length + 1 : 0) > max) break;
    lines.push(line);
  }
  const rest = n - lines.length;
  const body = [...top, ...lines, ...(rest ? [`+${rest} more`] : [])].join('\n');
  return truncate(t ? `${body}\n${t}` : body, max);
}
