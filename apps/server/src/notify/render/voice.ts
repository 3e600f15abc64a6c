/**
 * Voice renderer: TwiML for an outbound call. A page reads what broke, where and how bad inside a
 * one-digit <Gather> (4 acknowledges, 6 resolves, 1 repeats) that posts to `gatherUrl`; silence falls
 * through to "Goodbye". Every interpolated value is XML-escaped.
 */
import type { Message, PageMessage } from '../types.js';
import { speakBundle, voiceBundlePrompt } from './bundle.js';
import { alertsPhrase, availableActions, escapeXml, oneLine } from './common.js';

/** Options for {@link renderVoiceTwiml}. */
export interface VoiceRenderOptions {
  /** Absolute URL Twilio POSTs the pressed digit to (the <Gather> action). */
  gatherUrl: string;
}

/** Keys a callee can press while a page is read out. */
export const VOICE_DIGITS = { ack: '4', resolve: '6', repeat: '1' } as const;

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';

/** What a call says, and whether it then waits for one key (4, 6 or 1): the same for every voice provider. */
export interface VoiceScript {
  text: string;
  /** True: wait for one key press after the text; false: say it and hang up. */
  gather: boolean;
}

/** What a call says for any message (pure); TwiML, NCCO and the other providers' call scripts are built from it. */
export function voiceScript(msg: Message): VoiceScript {
  const say = (text: string): VoiceScript => ({ text: speakable(oneLine(text)), gather: false });
  switch (msg.kind) {
    case 'page': {
      // A bundle: a count and the first few, then one key that acknowledges them all.
      if (msg.bundle) return { text: `${speakBundle(msg.bundle)} ${voiceBundlePrompt(msg.bundle, VOICE_DIGITS.ack, VOICE_DIGITS.repeat)}`, gather: true };
      const a = availableActions(msg.status);
      const prompts: string[] = [];
      if (a.ack) prompts.push(`Press ${VOICE_DIGITS.ack} to acknowledge.`);
      if (a.resolve) prompts.push(`Press ${VOICE_DIGITS.resolve} to resolve.`);
      prompts.push(`Press ${VOICE_DIGITS.repeat} to repeat.`);
      return { text: `${speakPage(msg)} ${prompts.join(' ')}`, gather: true };
    }
    case 'verification': {
      const code = spellDigits(msg.code);
      return { text: `Your Klaxon verification code is ${code}. Again, your code is ${code}. Press ${VOICE_DIGITS.repeat} to repeat.`, gather: true };
    }
    case 'test':
      return say(`This is a test call from Klaxon for ${oneLine(msg.userName)}. If you can hear this, Klaxon can reach you by phone. Goodbye.`);
    case 'reply':
      return say(msg.text);
    case 'schedule':
      return say(`This is Klaxon. ${msg.summary}. Goodbye.`);
    case 'report':
      return say(`This is Klaxon. ${msg.summary}. Goodbye.`);
    case 'status_update':
      return say(`This is Klaxon. ${msg.subject}. Goodbye.`);
    case 'account':
      return say('This is Klaxon. A link to set your password was sent by email. Goodbye.');
  }
}

/** Renders any message as a TwiML document for an outbound call (pure). */
export function renderVoiceTwiml(msg: Message, opts: VoiceRenderOptions): string {
  const s = voiceScript(msg);
  return s.gather ? gather(opts.gatherUrl, s.text) : `${XML_DECL}<Response><Say>${escapeXml(s.text)}</Say><Hangup/></Response>`;
}

/** TwiML that says `text` and hangs up (the answer to a pressed digit, e.g. "Incident 42 acknowledged. Goodbye."). */
export function renderVoiceGatherResult(text: string): string {
  return sayAndHangUp(text);
}

/** The spoken description of a page (what, where, how bad), without the key prompts. */
export function speakPage(msg: PageMessage): string {
  const parts: string[] = [];
  if (msg.drill) parts.push('This is a drill.');
  parts.push('This is Klaxon.');
  const sev = oneLine(msg.severity).toLowerCase() || 'unknown severity';
  parts.push(`${capitalize(sev)} incident ${msg.incidentNumber} on ${oneLine(msg.serviceName)}: ${oneLine(msg.title)}.`);
  if (msg.alertCount > 1) parts.push(`${alertsPhrase(msg.alertCount)}.`);
  const status = oneLine(msg.status).toLowerCase();
  if (status && status !== 'triggered') parts.push(`It is ${status}.`);
  if (msg.bridgeUrl) parts.push('A conference bridge is open: the link is in Klaxon and in your other notifications.');
  return parts.join(' ');
}

/** "123456" -> "1, 2, 3, 4, 5, 6" so text-to-speech reads digits one by one. */
export function spellDigits(code: string): string {
  return Array.from(oneLine(code)).join(', ');
}

function gather(action: string, text: string): string {
  return (
    `${XML_DECL}<Response>` +
    `<Gather numDigits="1" action="${escapeXml(action)}" method="POST" timeout="10">` +
    `<Say>${escapeXml(text)}</Say>` +
    `</Gather>` +
    `<Say>Goodbye</Say><Hangup/></Response>`
  );
}

function sayAndHangUp(text: string): string {
  return `${XML_DECL}<Response><Say>${escapeXml(speakable(oneLine(text)))}</Say><Hangup/></Response>`;
}

/**
 * Text made for reading aloud: text-to-speech reads "#" as "hash" or "pound", so "Incident #42
 * acknowledged." is said as "Incident 42 acknowledged." (the confirmations are shared with SMS,
 * where the "#" stays).
 */
export function speakable(text: string): string {
  return text
    .replace(/#\s*(?=\d)/g, '')
    .replace(/#+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
