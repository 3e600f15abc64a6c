import type { Ctx } from '../context.js';
import type { EngineModule } from '../engine/engine.js';
import type { ChatPlatform } from './platform.js';
import { openPendingRooms } from './service.js';

/** Creates the channels (rooms, threads) war rooms asked for on the configured chat platforms (Slack has its own module). */
export function chatRoomsModule(platforms: ReadonlyMap<string, ChatPlatform>): EngineModule {
  return {
    name: 'chat-rooms',
    async updateAll(ctx: Ctx): Promise<void> {
      if (platforms.size) await openPendingRooms(ctx, platforms);
    },
  };
}
