import { Type, type Static } from '@sinclair/typebox';
import { CHAT_PLATFORMS } from './lists.js';
import { Nullable } from './common.js';

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
