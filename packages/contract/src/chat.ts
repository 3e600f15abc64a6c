import { Type, type Static } from '@sinclair/typebox';
import { ANNOUNCE_PLATFORMS, CHAT_PLATFORMS } from './lists.js';
import { Literals, Nullable } from './common.js';

/** A chat platform besides Slack that a war room can be bridged to (apps/server/src/chat/). */
export const ChatPlatformSchema = Type.Union(
  CHAT_PLATFORMS.map((p) => Type.Literal(p)),
  { description: 'A chat platform (Slack has its own /incidents/{id}/slack)' },
);

/** Bridge a war room to a platform: an existing channel (`channel`) or a new one the engine creates (`create`, optional `name`). */
export const ChatBridgeInput = Type.Object(
  {
    platform: ChatPlatformSchema,
    channel: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "The platform's channel (room, thread) id" })),
    create: Type.Optional(Type.Boolean({ description: 'Create a channel for the war room' })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Name of the channel to create (default inc-<number>-<title>)' })),
  },
  { additionalProperties: false },
);
export type ChatBridgeInput = Static<typeof ChatBridgeInput>;

/** One bridge of a war room: the channel once known, the name being created while pending. */
export const ChatBridge = Type.Object({ platform: Type.String(), channel: Nullable(Type.String()), pending: Nullable(Type.String()) });
export type ChatBridge = Static<typeof ChatBridge>;

export const ChatBridgeAnswer = Type.Object({ bridge: ChatBridge });
export const ChatBridgesAnswer = Type.Object({ bridges: Type.Array(ChatBridge) });

/** A chat channel where incidents are announced: the platform and its channel (room) id. */
export const ChatChannel = Type.Object(
  {
    platform: Literals(ANNOUNCE_PLATFORMS, { description: 'The chat platform' }),
    channel: Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        "The platform's channel (room) id: Slack C.../G..., a Mattermost channel id, a Discord channel id, a Matrix room id (!opaque:server), a Microsoft Teams channel conversation id (19:...@thread.tacv2), a Google Chat space (spaces/<id>)",
    }),
  },
  { additionalProperties: false },
);
export type ChatChannel = Static<typeof ChatChannel>;

/** The chat channels of a service or team, replacing the ones it had (an empty list removes them all). */
export const ChatChannelsInput = Type.Object({ channels: Type.Array(ChatChannel, { maxItems: 20, description: 'At most 20, each once' }) }, { additionalProperties: false });
export type ChatChannelsInput = Static<typeof ChatChannelsInput>;

/**
 * A service's or team's chat channels. For a service: `team` is its team's channels (its default), and
 * `announcedIn` the channels its incidents are announced in: the service's own when it has any, its
 * team's otherwise.
 */
export const ChatChannelsAnswer = Type.Object({
  channels: Type.Array(ChatChannel),
  team: Type.Optional(Nullable(Type.Object({ id: Type.String(), name: Type.String(), channels: Type.Array(ChatChannel) }))),
  announcedIn: Type.Array(ChatChannel),
  /** The platforms configured on this server that can announce (the others are refused). */
  platforms: Type.Array(Type.Object({ name: Type.String(), label: Type.String() })),
});
export type ChatChannelsAnswer = Static<typeof ChatChannelsAnswer>;

/** Send a test message to one chat channel. */
export const ChatChannelTestInput = ChatChannel;
export const ChatChannelTestAnswer = Type.Object({ queued: Type.Boolean() });
