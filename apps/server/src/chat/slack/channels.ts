import type { Ctx } from '../../context.js';
import { createPendingSlackChannels, type SlackCall } from './bridge.js';
import type { EngineModule } from '../../engine/engine.js';

/** Creates the Slack channels war rooms asked for. Without Slack configured it does nothing. */
export function warRoomSlackModule(call: SlackCall | null): EngineModule {
  return {
    name: 'warroom-slack',
    async updateAll(ctx: Ctx): Promise<void> {
      if (call) await createPendingSlackChannels(ctx, call);
    },
  };
}
