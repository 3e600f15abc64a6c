import { must } from '../../lib/must.js';
/**
 * The SMS reply syntax. Every SMS page ends "Reply 42A to ack, 42R to resolve". Accepted (case and
 * spaces ignored): "42A", "42 A", "A42", "ACK 42", "ack #42", "42 ack", "R42", "resolve 42",
 * "close 42"; and a bare "A"/"ACK"/"R"/"RESOLVE" for the latest incident paged to that number.
 * Anything else gets SMS_HELP back.
 */
export interface SmsCommand {
  action: 'ack' | 'resolve';
  /** Incident number, or null for "the latest page to this number". */
  number: number | null;
}

export const SMS_HELP = 'Klaxon: reply "42A" to acknowledge incident 42 or "42R" to resolve it. "A" or "R" alone act on your latest page.';

const WORDS: Record<string, 'ack' | 'resolve'> = { a: 'ack', ack: 'ack', acknowledge: 'ack', r: 'resolve', res: 'resolve', resolve: 'resolve', c: 'resolve', close: 'resolve' };

/** Parses an SMS reply, or returns null when it is not a command. */
export function parseSmsReply(body: string): SmsCommand | null {
  const s = body.trim().toLowerCase().replace(/[.!#]/g, ' ').replace(/\s+/g, ' ').trim();
  if (!s || s.length > 40) return null;
  let m = /^(\d{1,12}) ?([a-z]+)$/.exec(s);
  let action = m ? WORDS[must(m[2], 'the word')] : undefined;
  if (m && action) return { action, number: Number(m[1]) };
  m = /^([a-z]+) ?(\d{1,12})$/.exec(s);
  action = m ? WORDS[must(m[1], 'the word')] : undefined;
  if (m && action) return { action, number: Number(m[2]) };
  action = WORDS[s];
  if (action) return { action, number: null };
  return null;
}
