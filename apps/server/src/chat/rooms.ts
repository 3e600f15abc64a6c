import type { Ctx } from '../context.js';
import type { EngineModule } from '../engine/engine.js';
import type { ChatPlatform } from './platform.js';
import { openPendingRooms, pollBridgedChannels, pullPlatforms } from './service.js';

/** Creates the channels (rooms, threads) war rooms asked for on the configured chat platforms (Slack has its own module). */
export function chatRoomsModule(platforms: ReadonlyMap<string, ChatPlatform>): EngineModule {
  return {
    name: 'chat-rooms',
    async updateAll(ctx: Ctx): Promise<void> {
      if (platforms.size) await openPendingRooms(ctx, platforms);
    },
  };
}

/** Reads the bridged channels of the platforms that do not push messages (Discord), every few seconds of the clock. */
export function chatSyncModule(platforms: ReadonlyMap<string, ChatPlatform>): EngineModule {
  const lastPoll = new Map<string, number>();
  const lastPull = new Map<string, number>();
  return {
    name: 'chat-sync',
    async updateAll(ctx: Ctx): Promise<void> {
      if (!platforms.size) return;
      await pollBridgedChannels(ctx, platforms, lastPoll);
      await pullPlatforms(ctx, platforms, lastPull);
    },
  };
}
