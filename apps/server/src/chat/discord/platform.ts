/**
 * Discord as a chat platform (chat/platform.ts). One inbound endpoint, `interactions` (the
 * application's Interactions Endpoint URL): every request must carry a valid Ed25519 signature no
 * older than five minutes (signature.ts), else 401 and nothing changes. PING is answered PONG; a
 * button (MESSAGE_COMPONENT, custom_id `klaxon:ack|resolve:<incident id>`) acknowledges or
 * resolves; the `/klaxon` slash command (its string option `command`) runs a command. Answers are
 * ephemeral (flag 64). Messages in bridged threads are read by polling (client.ts).
 */
import type { KeyObject } from 'node:crypto';
import type { ChatInbound, ChatPlatform } from '../platform.js';
import type { DiscordClient } from './client.js';
import { verifyDiscordRequest } from './signature.js';
import { discordChannelProblem } from '../channel-ids.js';

const EPHEMERAL = 64;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const reply = (content: string): { status: number; body: unknown } => ({ status: 200, body: { type: 4, data: { content, flags: EPHEMERAL, allowed_mentions: { parse: [] } } } });

interface Interaction {
  type?: unknown;
  channel_id?: unknown;
  member?: { user?: { id?: unknown } };
  user?: { id?: unknown };
  data?: { custom_id?: unknown; name?: unknown; options?: { name?: unknown; value?: unknown }[] };
}

/** Discord, built on its client and the application's public key. */
export function discordPlatform(client: DiscordClient, publicKey: KeyObject, o: { pollEveryMs?: number } = {}): ChatPlatform {
  return {
    name: 'discord',
    label: 'Discord',
    commandPrefix: '/klaxon',
    provider: client,
    endpoints: [{ path: 'interactions' }],
    pollEveryMs: o.pollEveryMs ?? 5000,
    async inbound(_path, req): Promise<ChatInbound> {
      if (!verifyDiscordRequest(publicKey, req.headers, req.rawBody, req.now)) return { kind: 'refuse', status: 401, body: { error: { code: 'unauthorized', message: 'invalid request signature' } } };
      let i: Interaction;
      try {
        i = JSON.parse(req.rawBody) as Interaction;
        if (!i || typeof i !== 'object' || Array.isArray(i)) throw new Error('not an object');
      } catch {
        return { kind: 'reply', status: 400, body: { error: { code: 'invalid', message: 'body: must be a JSON interaction' } } };
      }
      if (i.type === 1) return { kind: 'reply', status: 200, body: { type: 1 } };
      const userId = str(i.member?.user?.id) || str(i.user?.id);
      const data = i.data && typeof i.data === 'object' ? i.data : {};
      if (i.type === 3) {
        const m = /^klaxon:(ack|resolve|join):(.{1,100})$/.exec(str(data.custom_id));
        if (m?.[2]) return { kind: 'action', userId, incident: m[2], action: m[1] as 'ack' | 'resolve' | 'join' };
      }
      if (i.type === 2 && data.name === 'klaxon') {
        const option = Array.isArray(data.options) ? data.options.find((x) => x && x.name === 'command') : undefined;
        return { kind: 'command', channelId: str(i.channel_id), userId, text: str(option?.value) };
      }
      return { kind: 'reply', ...reply('Nothing to do.') };
    },
    answer(_kind, text) {
      return reply(text);
    },
    openRoom: (r) => client.createThread(r.name),
    channelProblem: discordChannelProblem,
    poll: (channel, cursor, since) => client.readMessages(channel, cursor, since),
  };
}
