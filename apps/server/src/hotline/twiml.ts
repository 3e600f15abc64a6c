/**
 * TwiML for hotline calls (pure): Twilio fetches it when the hotline number is called and after each
 * <Dial> ends. Every text and attribute is XML-escaped, so nothing a name or a number holds can add
 * a verb. Verbs used: <Say>, <Dial timeout action method><Number>, <Hangup>.
 */
import { escapeXml } from '../notify/render/common.js';

/** The steps of a hotline answer. `callerId` (the hotline's number) is what Vonage shows the person rung; Twilio keeps the caller's own number. */
export type TwimlVerb = { say: string } | { dial: { number: string; timeoutSeconds: number; action: string; callerId?: string } } | { hangup: true };

/** A TwiML document of `verbs`, in order. */
export function twimlDocument(verbs: readonly TwimlVerb[]): string {
  const body = verbs
    .map((v) => {
      if ('say' in v) return `<Say>${escapeXml(v.say)}</Say>`;
      if ('dial' in v) {
        const d = v.dial;
        const timeout = Math.max(1, Math.min(600, Math.round(d.timeoutSeconds)));
        return `<Dial timeout="${timeout}" action="${escapeXml(d.action)}" method="POST"><Number>${escapeXml(d.number)}</Number></Dial>`;
      }
      return '<Hangup/>';
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}
