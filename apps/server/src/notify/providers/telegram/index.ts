/**
 * Telegram provider: Klaxon's bot (KLAXON_TELEGRAM_BOT_TOKEN) sends to a chat linked to a person.
 * Bot API calls are `POST {base}/bot<token>/<method>` with a JSON body; answers are
 * `{ok: true, result}` or `{ok: false, error_code, description}` (https://core.telegram.org/bots/api).
 * A page is a `sendMessage` with an inline keyboard: Acknowledge and Resolve buttons whose
 * `callback_data` names the outbox message (`ack:<id>`, `res:<id>`; at most 64 bytes), and an Open
 * button with the incident's URL. Pressing one sends a `callback_query` to Klaxon's webhook
 * (http/routes/channels.ts), checked with the `X-Telegram-Bot-Api-Secret-Token` header.
 */
import { alertsPhrase, availableActions, excerpt, oneLine, safeUrl, severityLabel, truncate } from '../../render/common.js';
import { bundleHeadline, bundleLines } from '../../render/bundle.js';
import { renderSms } from '../../render/sms.js';
import { ProviderError, type Message, type OutgoingMessage, type Provider, type SendResult } from '../../types.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase, type HttpProviderOptions } from '../http.js';
import { must } from '../../../lib/must.js';

/** Default Bot API base URL. */
export const TELEGRAM_DEFAULT_BASE_URL = 'https://api.telegram.org';

/** Telegram's limit on a message's text (sendMessage), in characters. */
export const TELEGRAM_MAX_TEXT = 4096;

/** An inline keyboard button. */
export type InlineButton = { text: string; callback_data: string } | { text: string; url: string };

/** A sendMessage body without chat_id. */
export interface TelegramText {
  text: string;
  reply_markup?: { inline_keyboard: InlineButton[][] };
}

/** What a button press asks for: parsed from callback_data. */
export interface TelegramCallback {
  action: 'ack' | 'resolve';
  messageId: string;
}

/** callback_data of a button: `ack:<outbox id>` or `res:<outbox id>`. */
export function callbackData(action: 'ack' | 'resolve', messageId: string): string {
  return `${action === 'ack' ? 'ack' : 'res'}:${messageId}`;
}

/** Reads callback_data, or null when it is not one of ours. */
export function parseCallbackData(data: unknown): TelegramCallback | null {
  if (typeof data !== 'string' || data.length > 64) return null;
  const m = /^(ack|res):([A-Za-z0-9-]{1,60})$/.exec(data);
  return m ? { action: m[1] === 'ack' ? 'ack' : 'resolve', messageId: must(m[2], 'm[2]') } : null;
}

/** Reads `/start CODE` (also `/start@BotName CODE`), or null. */
export function parseStartCommand(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const m = /^\/start(?:@[A-Za-z0-9_]{1,64})?\s+([A-Za-z0-9_-]{1,64})\s*$/.exec(text.trim());
  return m ? must(m[1], 'm[1]') : null;
}

/** The buttons of a page in `status`, for outbox message `messageId`. */
export function pageKeyboard(status: string, messageId: string, incidentUrl: string | null): InlineButton[][] {
  const can = availableActions(status);
  const row: InlineButton[] = [];
  if (can.ack) row.push({ text: 'Acknowledge', callback_data: callbackData('ack', messageId) });
  if (can.resolve) row.push({ text: 'Resolve', callback_data: callbackData('resolve', messageId) });
  return [...(row.length ? [row] : []), ...(incidentUrl ? [[{ text: 'Open', url: incidentUrl }]] : [])];
}

/** Renders a message for Telegram (plain text, no parse_mode, so nothing needs escaping) (pure). */
export function renderTelegram(msg: Message, messageId: string): TelegramText {
  if (msg.kind === 'page' && msg.bundle) {
    // A bundle (docs/paging.md, "Storms"): one message listing the incidents, one button that acknowledges them all.
    const b = msg.bundle;
    const high = msg.urgency !== 'low' || b.items.some((it) => it.urgency !== 'low');
    const head = `${high ? '🚨 ' : ''}${bundleHeadline(b.items)}`;
    const open = safeUrl(msg.incidentUrl.replace(/\/incidents\/\d+$/, '/incidents'));
    const keyboard: InlineButton[][] = [[{ text: `Acknowledge all ${b.items.length}`, callback_data: callbackData('ack', messageId) }], ...(open ? [[{ text: 'Open incidents', url: open }]] : [])];
    return { text: bundleLines(b, TELEGRAM_MAX_TEXT, head, ''), reply_markup: { inline_keyboard: keyboard } };
  }
  if (msg.kind === 'page') {
    const details = excerpt(msg.details, 6, 800);
    const text = [
      `${msg.drill ? 'DRILL ' : ''}${msg.urgency === 'low' ? '' : '🚨 '}#${msg.incidentNumber} ${oneLine(msg.title) || 'untitled'}`,
      `${oneLine(msg.serviceName) || 'unknown service'} · ${severityLabel(msg.severity)} · ${alertsPhrase(msg.alertCount)}`,
      ...(details ? ['', details] : []),
      ...(msg.bridgeUrl ? ['', `Bridge: ${msg.bridgeUrl}`] : []),
    ].join('\n');
    const keyboard = pageKeyboard(msg.status, messageId, safeUrl(msg.incidentUrl));
    return { text: truncate(text, 4000), ...(keyboard.length && { reply_markup: { inline_keyboard: keyboard } }) };
  }
  if (msg.kind === 'test') return { text: `Klaxon test for ${oneLine(msg.userName)}: Telegram notifications reach you.` };
  return { text: truncate(renderSms(msg) || 'Klaxon', 4000) };
}

/** Options of {@link TelegramBot}. */
export interface TelegramOptions extends HttpProviderOptions {
  botToken: string;
  /** KLAXON_TELEGRAM_BASE_URL. */
  baseUrl?: string;
}

/** The Bot API client and the 'telegram' provider. */
export class TelegramBot implements Provider {
  /** Always 'telegram'. */
  readonly channel = 'telegram' as const;
  private readonly base: string;

  /** Creates the client. */
  constructor(private readonly opts: TelegramOptions) {
    this.base = trimBase(opts.baseUrl ?? TELEGRAM_DEFAULT_BASE_URL);
  }

  /** Calls a Bot API method; returns `result`. */
  async call(method: string, body: Record<string, unknown>): Promise<unknown> {
    const res = await httpRequest(
      `Telegram ${method}`,
      `${this.base}/bot${this.opts.botToken}/${method}`,
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'User-Agent': 'Klaxon' }, body: JSON.stringify(body) },
      this.opts,
    );
    const json = ((await readJson(res)) ?? {}) as { ok?: unknown; result?: unknown; error_code?: unknown; description?: unknown };
    if (res.ok && json.ok === true) return json.result;
    const why = typeof json.description === 'string' ? json.description : `HTTP ${res.status}`;
    throw new ProviderError(`Telegram ${method}: ${why}`, (res.ok && json.ok !== true) || isPermanentHttpStatus(res.status), `http_${res.status}`);
  }

  /** Sends one message to the chat in msg.destination; providerMessageId is `<chat id>:<message id>`. */
  async send(msg: OutgoingMessage): Promise<SendResult> {
    if (!/^-?\d{1,20}$/.test(msg.destination)) throw new ProviderError('Telegram: the contact address is not a chat id', true, 'invalid_address');
    const result = (await this.call('sendMessage', { chat_id: msg.destination, ...renderTelegram(msg.message, msg.id) })) as { message_id?: unknown } | undefined;
    return { providerMessageId: typeof result?.message_id === 'number' ? `${msg.destination}:${result.message_id}` : null, providerStatus: 'sent' };
  }
}
