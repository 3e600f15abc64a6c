/**
 * Matrix as a chat platform (chat/platform.ts): no inbound HTTP endpoint; everything arrives by
 * /sync (client.ts), which the engine's chat-sync module runs every `pollEveryMs` of the injected
 * clock. `!ack 42`, `!resolve 42`, `!declare ...` and the war-room commands (`!sev 1`...) run as the
 * linked user and are answered in the room; a 👍 on a page acknowledges it; other messages in a
 * bridged room go into its war room.
 */
import { newId } from '../../lib/ids.js';
import type { ChatPlatform } from '../platform.js';
import type { MatrixClient } from './client.js';
import { matrixChannelProblem } from '../channel-ids.js';

export function matrixPlatform(client: MatrixClient, o: { pollEveryMs?: number } = {}): ChatPlatform {
  return {
    name: 'matrix',
    label: 'Matrix',
    commandPrefix: '!',
    provider: client,
    endpoints: [],
    pollEveryMs: o.pollEveryMs ?? 2000,
    async inbound() {
      return { kind: 'reply', status: 404, body: { error: { code: 'not_found', message: 'Matrix has no inbound endpoint: Klaxon reads /sync' } } };
    },
    answer: () => ({ status: 200, body: {} }),
    openRoom: (r) => client.createRoom(`#${r.incidentNumber} ${r.title}`.slice(0, 100), `Klaxon war room for incident #${r.incidentNumber}`, r.invite),
    channelProblem: matrixChannelProblem,
    pull: () => client.sync(),
    respond: (roomId, text) => client.notice(roomId, text, `klaxon-${newId()}`),
  };
}
