/**
 * The contact card of Klaxon's sending numbers: one vCard 3.0 (RFC 2426) contact, "Klaxon", with
 * every number SMS and calls come from (all configured providers), so a person can save it and give
 * it Emergency Bypass (iOS) or make it a starred / priority contact (Android) and pages ring through
 * Do Not Disturb.
 */
import { requirePermission, type Actor } from '../auth/actor.js';
import { AppError } from '../lib/errors.js';

/** vCard text escaping (RFC 2426 §4: backslash, comma, semicolon, newline). */
function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r?\n/g, '\\n');
}

/** The vCard, CRLF line endings; 404 when no SMS or voice provider is configured. */
export function sendersVcard(actor: Actor, numbers: readonly { provider: string; number: string }[], publicUrl: string): string {
  requirePermission(actor, 'read');
  const unique = [...new Set(numbers.map((n) => n.number).filter((n) => /^\+\d{4,15}$/.test(n)))];
  if (!unique.length) throw new AppError('not_found', 'No SMS or voice provider with a phone number is configured on this server');
  const lines = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    'N:;Klaxon;;;',
    'FN:Klaxon',
    'ORG:Klaxon',
    ...unique.map((n) => `TEL;TYPE=CELL,VOICE:${n}`),
    `NOTE:${esc('Klaxon pages you from these numbers. Let this contact through Do Not Disturb.')}`,
    `URL:${esc(publicUrl)}`,
    'END:VCARD',
  ];
  return `${lines.join('\r\n')}\r\n`;
}
