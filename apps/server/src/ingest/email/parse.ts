/**
 * Email in: the pure part. A received message (already parsed by mailparser into subject, text and
 * headers) becomes one AlertEvent; the subject decides the dedup key and whether it resolves.
 * No I/O here: the SMTP listener is in server.ts.
 */
import type { AlertEvent } from '../../alert/types.js';
import { oneLineSummary, truncate } from '../common.js';

/** Longest summary kept (the ingest limit every adapter uses). */
export const EMAIL_SUMMARY_MAX = 1024;
/** Longest dedup key (PagerDuty's limit). */
export const EMAIL_DEDUP_MAX = 255;
/** Longest body kept in the alert's details. */
export const EMAIL_BODY_MAX = 16 * 1024;
/** Headers kept in the alert's details, at most this many. */
export const EMAIL_HEADERS_MAX = 50;

/** What a subject says: the alert it names (its dedup key) and whether it reports the alert resolved. */
export interface SubjectMeaning {
  /** The subject without reply/forward and RESOLVED markers, one line, trimmed; the dedup key. */
  key: string;
  resolved: boolean;
}

// One leading marker: "Re:", "Fwd:", "Fw:", "AW:", "RESOLVED:", "[RESOLVED]", "(RESOLVED)", "RESOLVED -".
const MARKER = /^\s*(?:(re|fwd?|aw|wg)\s*:|\[\s*(resolved|ok|recovered)\s*\]|\(\s*(resolved|ok|recovered)\s*\)|(resolved|recovered)\s*(?::|-|–))\s*/i;

/**
 * Reads a subject: strips every leading "Re:"/"Fwd:" and "RESOLVED:"/"[RESOLVED]"/"RECOVERED:"
 * marker (in any order and case); the rest, on one line, is the dedup key. A subject with a
 * RESOLVED/RECOVERED/[OK] marker resolves the alert of that key; "Re:" alone does not resolve.
 */
export function parseSubject(subject: string): SubjectMeaning {
  let rest = subject.replace(/\s+/g, ' ');
  let resolved = false;
  for (;;) {
    const m = MARKER.exec(rest);
    if (!m || m[0].length === 0) break;
    if (m[2] || m[3] || m[4]) resolved = true;
    rest = rest.slice(m[0].length);
  }
  const key = truncate(rest.trim(), EMAIL_DEDUP_MAX).trim();
  return { key, resolved };
}

/** A received message, as the listener hands it over (the fields of mailparser's ParsedMail we use). */
export interface ReceivedEmail {
  subject: string | undefined;
  /** The plain-text body (or the HTML body turned into text). */
  text: string | undefined;
  from: string | undefined;
  messageId: string | undefined;
  /** Every header line, name lower-case, in order. */
  headers: { key: string; line: string }[];
  /** When the message says it was sent, epoch ms, if valid. */
  date: number | undefined;
}

/**
 * Maps a received email to the one event it raises. A subject that is empty (after markers) gets the
 * key "(no subject)", so such mails still open one alert and repeat into it. Never throws.
 */
export function emailToEvent(mail: ReceivedEmail): AlertEvent {
  const subject = mail.subject ?? '';
  const meaning = parseSubject(subject);
  const key = meaning.key === '' ? '(no subject)' : meaning.key;
  const summary = oneLineSummary(meaning.key === '' ? '(no subject)' : meaning.key, EMAIL_SUMMARY_MAX) || '(no subject)';
  // A Map, so a header named "__proto__" is kept like any other.
  const joined = new Map<string, string>();
  for (const h of mail.headers.slice(0, EMAIL_HEADERS_MAX)) {
    const value = h.line.slice(h.line.indexOf(':') + 1).trim();
    const before = joined.get(h.key);
    joined.set(h.key, truncate(before !== undefined ? `${before}, ${value}` : value, 1000));
  }
  const headers = Object.fromEntries(joined);
  const body = truncate(mail.text ?? '', EMAIL_BODY_MAX);
  const from = mail.from ?? '';
  return {
    action: meaning.resolved ? 'resolve' : 'trigger',
    dedupKey: key,
    summary,
    source: truncate(from, 255),
    severity: 'critical',
    details: { subject, from, body, headers },
    links: [],
    fields: { from, subject: meaning.key },
    ...(mail.date !== undefined && Number.isFinite(mail.date) && { occurredAt: mail.date }),
    raw: { subject, from, messageId: mail.messageId ?? null, headers, body },
  };
}
