/**
 * SMS renderer. A page fits one 160-character segment where possible:
 * `Klaxon #42 CRITICAL checkout-api: DB down. Reply 42A to ack, 42R to resolve` — the title (then the
 * service name) is shortened, never the reply codes. Typographic punctuation is folded to ASCII so a
 * message is not forced into the 70-character UCS-2 encoding by a curly quote.
 */
import type { Message, PageBundle, PageMessage } from '../types.js';
import { bundleHeadline, SMS_BUNDLE_MAX, SMS_BUNDLE_TITLE } from './bundle.js';
import { availableActions, oneLine, severityLabel, truncate } from './common.js';
import { must } from '../../lib/must.js';

/** One SMS segment in the GSM-7 alphabet. */
export const SMS_SEGMENT = 160;

const ASCII_FOLDS: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201A': "'",
  '\u201B': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u201E': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00A0': ' ',
};

/** Folds typographic punctuation to ASCII and collapses whitespace to single spaces. */
export function smsText(s: string): string {
  return oneLine(s.replace(/[\u2018\u2019\u201A\u201B\u201C\u201D\u201E\u2013\u2014\u2026\u00A0]/g, (c) => ASCII_FOLDS[c] ?? c));
}

/** The reply codes for incident `n`: `42A` acknowledges, `42R` resolves. */
export function smsReplyCodes(n: number): { ack: string; resolve: string } {
  return { ack: `${n}A`, resolve: `${n}R` };
}

/** Renders any message as SMS text (pure). Pages stay within 160 characters unless the fixed parts alone exceed it. */
export function renderSms(msg: Message): string {
  switch (msg.kind) {
    case 'page':
      return renderPage(msg);
    case 'verification':
      return `Your Klaxon verification code is ${smsText(msg.code)}`;
    case 'test':
      return truncate(`Klaxon test for ${smsText(msg.userName)}: SMS notifications reach you.`, SMS_SEGMENT);
    case 'reply':
      return smsText(msg.text);
    case 'schedule':
      return truncate(`Klaxon: ${smsText(msg.summary)}`, SMS_SEGMENT);
    case 'report':
      return truncate(`Klaxon: ${smsText(msg.summary)}`, SMS_SEGMENT);
    case 'status_update':
      return truncate(`Klaxon: ${smsText(msg.subject)}`, SMS_SEGMENT);
    case 'account':
      // Only ever sent by email; an SMS never carries the one-time secret.
      return 'Klaxon: a link to set your password was sent by email.';
  }
}

function renderPage(msg: PageMessage): string {
  if (msg.bundle) return renderSmsBundle(msg.bundle);
  const n = msg.incidentNumber;
  const codes = smsReplyCodes(n);
  const actions = availableActions(msg.status);
  let tail: string;
  if (actions.ack && actions.resolve) tail = `Reply ${codes.ack} to ack, ${codes.resolve} to resolve`;
  else if (actions.resolve) tail = `Acked. Reply ${codes.resolve} to resolve`;
  else tail = 'Resolved';

  const head = `${msg.drill ? 'DRILL ' : ''}Klaxon #${n} ${truncate(severityLabel(msg.severity), 12)} `;
  let service = smsText(msg.serviceName);
  const title = smsText(msg.title) || 'untitled';
  const fixed = (svc: string) => `${head}${svc}: . ${tail}`.length;

  // Keep at least ~20 characters of title: shorten a long service name first if needed.
  const minTitle = 20;
  if (fixed(service) + minTitle > SMS_SEGMENT) {
    service = truncate(service, Math.max(8, SMS_SEGMENT - minTitle - fixed('')));
  }
  const room = SMS_SEGMENT - fixed(service);
  const shortTitle = truncate(title, Math.max(room, 8));
  const text = `${head}${service}: ${shortTitle}. ${tail}`;
  // A major incident's bridge goes on every page, even if that makes a second segment.
  return msg.bridgeUrl ? `${text}. Bridge: ${msg.bridgeUrl}` : text;
}

/** SMS: `Klaxon: 5 new incidents on a, b: #12 DB down; #13 Slow. Reply A to ack all 5`, at most {@link SMS_BUNDLE_MAX}. */
export function renderSmsBundle(b: PageBundle): string {
  const n = b.items.length;
  const head = `Klaxon: ${smsText(bundleHeadline(b.items))}: `;
  const tail = `. Reply A to ack all ${n}`;
  let headPart = head;
  // A very long list of services: cut it so the head never takes more than a third.
  if (headPart.length > SMS_BUNDLE_MAX / 3) headPart = `${truncate(headPart, Math.floor(SMS_BUNDLE_MAX / 3) - 2)}: `;
  const named: string[] = [];
  for (let i = 0; i < n; i++) {
    const it = must(b.items[i], 'b.items[i]');
    const entry = `#${it.incidentNumber} ${truncate(smsText(it.title) || 'untitled', SMS_BUNDLE_TITLE)}`;
    const rest = n - i - 1;
    const more = rest > 0 ? `; +${rest} more` : '';
    const candidate = [...named, entry].join('; ');
    if ((headPart + candidate + more + tail).length > SMS_BUNDLE_MAX) break;
    named.push(entry);
  }
  const rest = n - named.length;
  const list = named.length ? `${named.join('; ')}${rest ? `; +${rest} more` : ''}` : `${rest} incidents`;
  return headPart + list + tail;
}
