/**
 * The Google Chat API, called as the Chat app (app authentication: a service account's token with
 * the chat.bot scope, auth.ts), at the configured base (default https://chat.googleapis.com):
 * - spaces.messages.create: POST /v1/{spaces/*}/messages with a Message (`text`, `cardsV2`, and
 *   `thread` {name} or {threadKey}); `messageReplyOption` REPLY_MESSAGE_OR_FAIL posts into an
 *   existing thread or fails with 404, REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD posts into the thread of
 *   that key or starts it; `requestId` (Klaxon's outbox id) makes a retry return the message the
 *   first try created instead of posting it twice. The answer is the created Message (`name`,
 *   `thread.name`).
 * - spaces.findDirectMessage: GET /v1/spaces:findDirectMessage?name=users/{user}, the direct-message
 *   space of the app and that person; 404 NOT_FOUND when there is none (the person never added the
 *   app, and no admin installed it for them).
 * Errors are Google's JSON `{error: {code, message, status}}`: 429 and 5xx temporary, other 4xx
 * permanent; a 401 drops the cached token and the call is made once more with a fresh one. Requests
 * go through the egress policy.
 */
import type { EgressPolicy } from '../../lib/egress.js';
import { httpRequest, isPermanentHttpStatus, readJson, trimBase } from '../../notify/providers/http.js';
import { ProviderError } from '../../notify/types.js';
import type { ServiceAccountTokens } from './auth.js';
import type { GoogleChatMessage } from './render.js';

/** A space's resource name. */
export const SPACE_NAME = /^spaces\/[A-Za-z0-9_-]{1,100}$/;
/** A thread's resource name. */
export const THREAD_NAME = /^spaces\/[A-Za-z0-9_-]{1,100}\/threads\/[A-Za-z0-9_-]{1,100}$/;
/** A user's resource name. */
export const USER_NAME = /^users\/\d{1,30}$/;

/** Options of {@link GoogleChatApi}. */
export interface GoogleChatApiOptions {
  /** Default https://chat.googleapis.com. */
  baseUrl: string;
  tokens: ServiceAccountTokens;
  egress: EgressPolicy;
}

/** Where a message goes in a space: a new thread (none), an existing thread, or the thread of a key (started if new). */
export type ThreadTarget = { name: string } | { threadKey: string };

/** The Chat API as the app. */
export class GoogleChatApi {
  private readonly base: string;
  private readonly directSpaces = new Map<string, string>();

  constructor(private readonly opts: GoogleChatApiOptions) {
    this.base = trimBase(opts.baseUrl);
  }

  /** Posts a message in a space (or a thread of it); the created message's and its thread's names. `requestId`: the same id again returns the first message. */
  async createMessage(space: string, message: GoogleChatMessage, o: { thread?: ThreadTarget; requestId?: string } = {}): Promise<{ name: string | null; thread: string | null }> {
    if (!SPACE_NAME.test(space)) throw new ProviderError(`Google Chat: ${JSON.stringify(space.slice(0, 120))} is not a space name (spaces/<id>)`, true, 'bad_destination');
    const thread = o.thread;
    const option = thread ? ('name' in thread ? 'REPLY_MESSAGE_OR_FAIL' : 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD') : undefined;
    const query = new URLSearchParams({ ...(option && { messageReplyOption: option }), ...(o.requestId && { requestId: o.requestId }) }).toString();
    const path = `/v1/${space}/messages${query ? `?${query}` : ''}`;
    const res = (await this.call('POST', path, { ...message, ...(thread && { thread }) }, space)) as { name?: unknown; thread?: { name?: unknown } };
    return { name: typeof res.name === 'string' ? res.name : null, thread: typeof res.thread?.name === 'string' ? res.thread.name : null };
  }

  /** The direct-message space of the app and a person; a permanent failure when they never added the app. */
  async findDirectMessage(user: string): Promise<string> {
    const known = this.directSpaces.get(user);
    if (known) return known;
    if (!USER_NAME.test(user)) throw new ProviderError(`Google Chat: ${JSON.stringify(user.slice(0, 120))} is not a user name (users/<id>)`, true, 'bad_destination');
    let res: unknown;
    try {
      res = await this.call('GET', `/v1/spaces:findDirectMessage?name=${encodeURIComponent(user)}`, undefined, user);
    } catch (e) {
      if (e instanceof ProviderError && e.providerStatus === 'NOT_FOUND') {
        throw new ProviderError(
          `Google Chat: ${user} has no direct message with the Klaxon app (they have not added the app in Google Chat, and no admin installed it for them)`,
          true,
          'no_direct_message',
        );
      }
      throw e;
    }
    const name = (res as { name?: unknown }).name;
    if (typeof name !== 'string' || !SPACE_NAME.test(name)) throw new ProviderError('Google Chat findDirectMessage: no space name in the answer', false, 'bad_response');
    this.directSpaces.set(user, name);
    return name;
  }

  /** Posts a message to a person in their direct message with the app. */
  async sendDirect(user: string, message: GoogleChatMessage, requestId?: string): Promise<{ name: string | null }> {
    const space = await this.findDirectMessage(user);
    try {
      return await this.createMessage(space, message, requestId ? { requestId } : {});
    } catch (e) {
      // The person may have removed the app since: look the space up again next time.
      if (e instanceof ProviderError && e.permanent) this.directSpaces.delete(user);
      throw e;
    }
  }

  /** One call with the app's token (a fresh token once more after a 401); the JSON answer or a ProviderError. */
  private async call(method: 'GET' | 'POST', path: string, body: unknown, what: string, retried = false): Promise<unknown> {
    const token = await this.opts.tokens.token();
    const res = await httpRequest(
      `Google Chat API ${path.split('?')[0] ?? path}`,
      `${this.base}${path}`,
      {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body !== undefined && { 'Content-Type': 'application/json; charset=UTF-8' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      },
      { egress: this.opts.egress },
    );
    const json = (await readJson(res)) as { error?: { message?: unknown; status?: unknown } } | undefined;
    if (res.status === 401 && !retried) {
      this.opts.tokens.forget();
      return this.call(method, path, body, what, true);
    }
    if (!res.ok) {
      const message = typeof json?.error?.message === 'string' ? ` ${json.error.message}` : '';
      const code = typeof json?.error?.status === 'string' ? json.error.status : `http_${res.status}`;
      const hint = (res.status === 403 || res.status === 404) && what.startsWith('spaces/') ? ' (is the Klaxon app a member of the space?)' : '';
      throw new ProviderError(`Google Chat API ${method} ${what}: HTTP ${res.status}${message}${hint}`, isPermanentHttpStatus(res.status), code);
    }
    if (json === undefined) throw new ProviderError(`Google Chat API ${what}: unexpected response`, false, 'bad_response');
    return json;
  }
}
