/**
 * The one chat abstraction. A chat platform (Slack, Mattermost, ...) is a folder `chat/<name>/` whose
 * `platform.ts` implements {@link ChatPlatform}; `app/klaxon.ts` builds it when its environment is
 * set, registers its provider (outbound) and hands it to the HTTP layer, which answers its inbound
 * requests at `POST /integrations/v1/<name>/<path>` (http/routes/chat.ts) and runs what they ask
 * through `chat/service.ts`. A platform only speaks its protocol: it posts, verifies and parses; what
 * an action, a command or a message does is the same for every platform (service.ts).
 *
 * Destinations of a platform's provider: a person's platform user id (a direct page, a contact
 * method), or `#<channel id>` for a channel, room or thread (a war-room bridge; Slack keeps its own
 * C.../U... ids).
 */
import type { Via } from '../auth/actor.js';
import type { Channel, Provider } from '../notify/types.js';

/** A platform's name: at once its contact method type (Channel), its Via on the timeline and the source of the chat messages it brings in. */
export type ChatPlatformName = Channel & Via;

/** One inbound HTTP request, as received: the raw body (signatures cover its exact bytes). */
export interface ChatRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  contentType: string;
  /** The injected clock's now (ms), for timestamps in signatures. */
  now: number;
}

/** What a button does: acknowledge, resolve, or (on a major incident's page) join its war room. */
export type ChatActionName = 'ack' | 'resolve' | 'join';

/** What a platform made of an inbound request. */
export type ChatInbound =
  /** Not from the platform (bad or stale signature, wrong token): answered with `status`, nothing changes. */
  | { kind: 'refuse'; status: number; body: unknown }
  /** Answered at once without Klaxon doing anything (a handshake like PING or url_verification, a bad payload, nothing to do). */
  | { kind: 'reply'; status: number; body: unknown }
  /** A button pressed: acknowledge or resolve an incident (id or number). */
  | { kind: 'action'; userId: string; incident: string; action: ChatActionName; channelId?: string; context?: unknown }
  /** A command typed (`ack 42`, `declare ...`, a war-room command) in a channel. */
  | { kind: 'command'; channelId: string; userId: string; text: string; context?: unknown }
  /** A message in a channel, for the war room bridged to it; `messageId` is the platform's id (a retry is stored once). */
  | { kind: 'message'; channelId: string; userId: string; userName?: string; messageId: string; text: string }
  /** Nothing for Klaxon (Klaxon's own post coming back, another event type). */
  | { kind: 'ignore' };

/** The inbound endpoints of a platform: path under /integrations/v1/<name>/, and whether it is form-encoded or JSON. */
export interface ChatEndpoint {
  path: string;
}

/** A chat platform. */
export interface ChatPlatform {
  readonly name: ChatPlatformName;
  /** As people call it: "Slack", "Mattermost". */
  readonly label: string;
  /** How people invoke Klaxon there, for usage texts: "/klaxon". */
  readonly commandPrefix: string;
  /** Posts pages, status updates and war-room messages (registered in the provider registry under `name`). */
  readonly provider: Provider;
  /** The paths it receives on, under /integrations/v1/<name>/. */
  readonly endpoints: readonly ChatEndpoint[];
  /** Verifies and parses one inbound request to an endpoint path. Never throws for bad input. */
  inbound(path: string, req: ChatRequest): Promise<ChatInbound>;
  /** The platform's answer carrying `text` back to the person who acted or typed (ephemeral where the platform can). */
  answer(inbound: ChatInbound['kind'], text: string): { status: number; body: unknown };
  /** Creates a channel (room, thread) for a war room; returns its id. `invite`: the platform user ids of the war room's linked members. */
  openRoom(o: { name: string; title: string; incidentNumber: number; invite: string[] }): Promise<string>;
  /** A problem with a channel id a person gave for a bridge, or null when it looks like one. */
  channelProblem(channel: string): string | null;
  /** A problem with a channel id a service or team names for announcements (chat/announce.ts), or null; default `channelProblem`. */
  announceProblem?(channel: string): string | null;
  /** Set when the platform, as configured, cannot announce incidents in channels: what to configure. */
  readonly cannotAnnounce?: string;
  /**
   * The channels a message's channel belongs to, nearest first (Teams: a thread `19:...;messageid=N`
   * belongs to its channel `19:...`): a message or command there goes to the war room bridged to
   * the first of them that is, when its own channel is not bridged.
   */
  channelParents?(channel: string): string[];
  /**
   * For a platform that does not push messages to Klaxon (Discord without a gateway): reads a
   * bridged channel's messages after `cursor` (null: since `since`, the bridge's creation, in ms),
   * oldest first, without Klaxon's own; the engine's chat-sync module calls it every `pollEveryMs`.
   */
  poll?(channel: string, cursor: string | null, since: number): Promise<{ messages: ChatMessageIn[]; cursor: string | null }>;
  readonly pollEveryMs?: number;
  /**
   * For a platform read as one stream (Matrix /sync): everything that happened since the last pull
   * (messages, commands, reactions), which the engine's chat-sync module runs every `pollEveryMs`,
   * posting each command's or action's answer back with `respond`.
   */
  pull?(): Promise<ChatInbound[]>;
  /**
   * For a platform that takes answers as separate requests, not in the HTTP response (Teams: the Bot
   * Connector): delivers the `answer` to what `inbound` parsed (its `context`), and gives the HTTP answer.
   */
  deliver?(parsed: ChatInbound, answer: { status: number; body: unknown }): Promise<{ status: number; body: unknown }>;
  respond?(channelId: string, text: string): Promise<void>;
}

/** A message read from a platform. */
export interface ChatMessageIn {
  channelId: string;
  userId: string;
  userName?: string;
  messageId: string;
  text: string;
}

/** The sentence an unknown person gets: how to link their chat user to their Klaxon user. */
export function notLinkedText(label: string): string {
  return `Your ${label} user is not linked to a Klaxon user: add it as a ${label} contact method.`;
}
