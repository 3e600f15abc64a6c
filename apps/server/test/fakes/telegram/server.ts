/**
 * A local fake of the Telegram Bot API (https://core.telegram.org/bots/api), on
 * http://127.0.0.1:<random port>, for one bot:
 *   POST /bot<token>/<method>   JSON body; answers `{ok: true, result}` or
 *                               `{ok: false, error_code, description}` (401 "Unauthorized" for a wrong
 *                               token; 400 "Bad Request: ..." for bad parameters; 403 "Forbidden: bot
 *                               was blocked by the user" for a chat that blocked the bot).
 *   sendMessage                 chat_id, text (1-4096 characters), reply_markup.inline_keyboard: rows of
 *                               buttons, each `text` and exactly one of `url` / `callback_data`
 *                               (1-64 bytes); result is the Message `{message_id, chat, date, text, reply_markup}`.
 *   editMessageText             chat_id, message_id, text, reply_markup: edits a message the bot sent.
 *   answerCallbackQuery         callback_query_id (one the fake sent), text.
 *   setWebhook                  url, secret_token (1-256 characters of A-Z a-z 0-9 _ -).
 * Updates travel to the webhook as Telegram sends them: POST <url> with the Update as JSON and
 * `X-Telegram-Bot-Api-Secret-Token: <secret_token>`. A person is a chat: `userSends(chat, text)`
 * sends a message update, `press(message, buttonText)` a callback_query for an inline button.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

type Button = { text: string; url?: string; callback_data?: string };

/** A message the bot sent (as currently shown: edits applied). */
export interface TelegramSent {
  message_id: number;
  chat_id: string;
  text: string;
  reply_markup?: { inline_keyboard: Button[][] };
  edits: number;
}

/** The fake Bot API. */
export class FakeTelegram {
  readonly token = `${100000 + Math.floor(Math.random() * 899999)}:${randomBytes(24).toString('base64url')}`;
  readonly sent = new RecordLog<TelegramSent>('telegram messages');
  readonly answers = new RecordLog<{ callback_query_id: string; text?: string }>('telegram callback answers');
  readonly edits = new RecordLog<TelegramSent>('telegram edits');
  readonly refused = new RecordLog<{ method: string; error_code: number; description: string }>('telegram refused');
  private readonly byId = new Map<string, TelegramSent>();
  private readonly queries = new Set<string>();
  private readonly blocked = new Set<string>();
  webhook: { url: string; secret: string | null } | null = null;
  private server: Server | null = null;
  private seq = 0;
  private updates = 0;
  url = '';

  /** Starts listening. */
  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.url = await listenLocal(this.server);
    return { url: this.url };
  }

  /** Stops. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** The person in `chatId` blocks the bot: sends to it fail with 403. */
  block(chatId: string): void {
    this.blocked.add(chatId);
  }

  /** Delivers an Update to the webhook as Telegram would (with the secret token); returns the HTTP status. */
  async deliver(update: Record<string, unknown>, secret: string | null = this.webhook?.secret ?? null): Promise<number> {
    if (!this.webhook) throw new Error('setWebhook was never called');
    const res = await fetch(this.webhook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret !== null && { 'X-Telegram-Bot-Api-Secret-Token': secret }) },
      body: JSON.stringify({ update_id: ++this.updates, ...update }),
    });
    await res.text();
    return res.status;
  }

  /** The person in private chat `chatId` sends `text` to the bot. */
  userSends(chatId: string, text: string, secret?: string | null): Promise<number> {
    const id = Number(chatId);
    return this.deliver(
      { message: { message_id: ++this.seq, from: { id, is_bot: false, first_name: 'Maya' }, chat: { id, type: 'private', first_name: 'Maya' }, date: Math.floor(Date.now() / 1000), text } },
      secret,
    );
  }

  /** The person presses the inline button labelled `buttonText` under message `m`. Returns the webhook's status. */
  press(m: TelegramSent, buttonText: string, o: { secret?: string | null; fromChat?: string } = {}): Promise<number> {
    const b = m.reply_markup?.inline_keyboard.flat().find((x) => x.text === buttonText);
    if (!b?.callback_data) throw new Error(`message ${m.message_id} has no callback button "${buttonText}"`);
    const qid = randomBytes(8).toString('hex');
    this.queries.add(qid);
    const chat = Number(o.fromChat ?? m.chat_id);
    return this.deliver(
      {
        callback_query: {
          id: qid,
          from: { id: chat, is_bot: false, first_name: 'Maya' },
          chat_instance: '1',
          message: { message_id: m.message_id, chat: { id: chat, type: 'private' }, date: Math.floor(Date.now() / 1000), text: m.text, reply_markup: m.reply_markup },
          data: b.callback_data,
        },
      },
      o.secret === undefined ? (this.webhook?.secret ?? null) : o.secret,
    );
  }

  private fail(res: ServerResponse, method: string, code: number, description: string): void {
    this.refused.push({ method, error_code: code, description });
    sendJson(res, code, { ok: false, error_code: code, description });
  }

  private keyboard(markup: unknown): { inline_keyboard: Button[][] } | string | undefined {
    if (markup === undefined) return undefined;
    const k = (markup as { inline_keyboard?: unknown })?.inline_keyboard;
    if (!Array.isArray(k) || !k.every((row) => Array.isArray(row))) return "Bad Request: can't parse reply keyboard markup JSON object";
    for (const b of k.flat() as Record<string, unknown>[]) {
      if (typeof b?.text !== 'string' || !b.text) return 'Bad Request: text buttons are unallowed in the inline keyboard';
      const kinds = ['url', 'callback_data'].filter((f) => b[f] !== undefined);
      if (kinds.length !== 1) return 'Bad Request: inline keyboard button must have exactly one of url, callback_data';
      if (b.callback_data !== undefined && (typeof b.callback_data !== 'string' || Buffer.byteLength(b.callback_data) < 1 || Buffer.byteLength(b.callback_data) > 64))
        return 'Bad Request: BUTTON_DATA_INVALID';
      if (b.url !== undefined && (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url))) return 'Bad Request: inline keyboard button URL is invalid';
    }
    return { inline_keyboard: k as Button[][] };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', this.url).pathname);
    if (!m || req.method !== 'POST') return this.fail(res, '?', 404, 'Not Found');
    const method = must(m[2], 'm[2]');
    if (m[1] !== this.token) return this.fail(res, method, 401, 'Unauthorized');
    let p: Record<string, unknown>;
    try {
      p = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return this.fail(res, method, 400, 'Bad Request: invalid JSON');
    }
    const chat = typeof p.chat_id === 'number' || typeof p.chat_id === 'string' ? String(p.chat_id) : null;
    switch (method) {
      case 'setWebhook': {
        if (typeof p.url !== 'string') return this.fail(res, method, 400, 'Bad Request: bad webhook: URL is required');
        if (p.secret_token !== undefined && (typeof p.secret_token !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(p.secret_token)))
          return this.fail(res, method, 400, 'Bad Request: secret token contains unallowed characters');
        this.webhook = { url: p.url, secret: typeof p.secret_token === 'string' ? p.secret_token : null };
        return sendJson(res, 200, { ok: true, result: true, description: 'Webhook was set' });
      }
      case 'sendMessage': {
        if (!chat) return this.fail(res, method, 400, 'Bad Request: chat_id is empty');
        if (typeof p.text !== 'string' || p.text.length < 1 || p.text.length > 4096) return this.fail(res, method, 400, 'Bad Request: message text is empty or too long');
        if (this.blocked.has(chat)) return this.fail(res, method, 403, 'Forbidden: bot was blocked by the user');
        const k = this.keyboard(p.reply_markup);
        if (typeof k === 'string') return this.fail(res, method, 400, k);
        const sent: TelegramSent = { message_id: ++this.seq, chat_id: chat, text: p.text, ...(k && { reply_markup: k }), edits: 0 };
        this.byId.set(`${chat}:${sent.message_id}`, sent);
        this.sent.push(sent);
        return sendJson(res, 200, {
          ok: true,
          result: { message_id: sent.message_id, chat: { id: Number(chat), type: 'private' }, date: Math.floor(Date.now() / 1000), text: sent.text, ...(k && { reply_markup: k }) },
        });
      }
      case 'editMessageText': {
        const msg = chat && typeof p.message_id === 'number' ? this.byId.get(`${chat}:${p.message_id}`) : undefined;
        if (!msg) return this.fail(res, method, 400, 'Bad Request: message to edit not found');
        if (typeof p.text !== 'string' || !p.text) return this.fail(res, method, 400, 'Bad Request: message text is empty');
        const k = this.keyboard(p.reply_markup);
        if (typeof k === 'string') return this.fail(res, method, 400, k);
        msg.text = p.text;
        if (k) msg.reply_markup = k;
        else delete msg.reply_markup;
        msg.edits++;
        this.edits.push({ ...msg });
        return sendJson(res, 200, { ok: true, result: { message_id: msg.message_id, chat: { id: Number(chat), type: 'private' }, text: msg.text } });
      }
      case 'answerCallbackQuery': {
        if (typeof p.callback_query_id !== 'string' || !this.queries.has(p.callback_query_id))
          return this.fail(res, method, 400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        this.queries.delete(p.callback_query_id);
        this.answers.push({ callback_query_id: p.callback_query_id, ...(typeof p.text === 'string' && { text: p.text }) });
        return sendJson(res, 200, { ok: true, result: true });
      }
      default:
        return this.fail(res, method, 404, 'Not Found: method not found');
    }
  }
}
