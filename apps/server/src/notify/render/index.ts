/** One renderer per channel, all pure functions of a Message. */
/** Email: subject, text and HTML. */
export { renderEmail, type RenderedEmail } from './email.js';
/** SMS: one 160-character segment where possible, with reply codes. */
export { renderSms, smsReplyCodes, smsText, SMS_SEGMENT } from './sms.js';
/** Voice: TwiML with a one-digit Gather, and the TwiML answering a pressed digit. */
export { renderVoiceTwiml, renderVoiceGatherResult, speakPage, spellDigits, VOICE_DIGITS, type VoiceRenderOptions } from './voice.js';
/** Slack: fallback text plus Block Kit with ack/resolve buttons. */
export { renderSlack, SLACK_ACTIONS, SLACK_ACTIONS_BLOCK_ID, type RenderedSlack } from './slack.js';
/** Webhook: a stable, versioned JSON document. */
export { renderWebhook, WEBHOOK_DOCUMENT_VERSION, type WebhookEvent } from './webhook.js';
/** Shared escaping and severity/status helpers. */
export { escapeHtml, escapeXml, escapeSlack, severityLabel, availableActions, type AvailableActions } from './common.js';
