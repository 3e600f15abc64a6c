/** SQL for chat channels that announce incidents (chat/announce.ts): rows in, rows out. No permission checks here. */
import type { Tx } from '../context.js';
import { compiled } from '../lib/db/compiled.js';
import { newId } from '../lib/ids.js';

export type ChannelOwner = 'service' | 'team';

/** One owner's channels, in the order given. */
export async function chatChannelsOf(db: Tx, ownerType: ChannelOwner, ownerId: string): Promise<{ platform: string; channel: string }[]> {
  return db.selectFrom('chat_channels').select(['platform', 'channel']).where('owner_type', '=', ownerType).where('owner_id', '=', ownerId).orderBy('position').execute();
}

/** Every owner's channels (config as code export), in order. */
export async function allChatChannels(db: Tx): Promise<{ owner_type: string; owner_id: string; platform: string; channel: string }[]> {
  return db.selectFrom('chat_channels').select(['owner_type', 'owner_id', 'platform', 'channel']).orderBy('owner_type').orderBy('owner_id').orderBy('position').execute();
}

/** Replaces one owner's channels. */
export async function replaceChatChannels(db: Tx, ownerType: ChannelOwner, ownerId: string, channels: readonly { platform: string; channel: string }[], now: number): Promise<void> {
  await db.deleteFrom('chat_channels').where('owner_type', '=', ownerType).where('owner_id', '=', ownerId).execute();
  if (!channels.length) return;
  await db
    .insertInto('chat_channels')
    .values(channels.map((c, i) => ({ owner_type: ownerType, owner_id: ownerId, platform: c.platform, channel: c.channel, position: i, created_at: now })))
    .execute();
}

/**
 * Queues a timeline event for an incident's chat channels, only when its service or its team has
 * any (one statement: nothing is written for the incidents of services without channels).
 */
export async function queueAnnouncement(db: Tx, row: { incident_id: string; type: string; message: string; at: number }): Promise<void> {
  await insertAnnouncementIfChannels(db, { id: newId(), ...row });
}

// Compiled once (lib/db/compiled.ts): it runs for every incident opened and every announced change.
const insertAnnouncementIfChannels = compiled((q: Tx, row: { id: string; incident_id: string; type: string; message: string; at: number }) =>
  q
    .insertInto('chat_announcements')
    .columns(['id', 'incident_id', 'type', 'message', 'at'])
    .expression((eb) =>
      eb
        .selectFrom('incidents')
        .innerJoin('services', 'services.id', 'incidents.service_id')
        .select([eb.val(row.id).as('id'), 'incidents.id as incident_id', eb.val(row.type).as('type'), eb.val(row.message).as('message'), eb.val(row.at).as('at')])
        .where('incidents.id', '=', row.incident_id)
        .where((w) =>
          w.exists(
            w
              .selectFrom('chat_channels')
              .select('chat_channels.channel')
              .where((c) =>
                c.or([
                  c.and([c('chat_channels.owner_type', '=', 'service'), c('chat_channels.owner_id', '=', c.ref('services.id'))]),
                  c.and([c('chat_channels.owner_type', '=', 'team'), c('chat_channels.owner_id', '=', c.ref('services.team_id'))]),
                ]),
              ),
          ),
        ),
    ),
);

/** The oldest queued announcements. */
export async function queuedAnnouncements(db: Tx, limit: number): Promise<{ id: string; incident_id: string; type: string; message: string; at: number }[]> {
  const rows = await db.selectFrom('chat_announcements').select(['id', 'incident_id', 'type', 'message', 'at']).orderBy('at').orderBy('id').limit(limit).execute();
  return rows.map((r) => ({ ...r, at: Number(r.at) }));
}

/** Takes a queued announcement (compare-and-set: false when another engine took it first). */
export async function takeAnnouncement(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('chat_announcements').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** An incident's number, title, drill flag, service and team: what its announcements need. */
export async function announcedIncident(db: Tx, incidentId: string): Promise<{ id: string; number: number; title: string; drill: boolean; service_id: string; team_id: string | null } | undefined> {
  const r = await db
    .selectFrom('incidents')
    .innerJoin('services', 'services.id', 'incidents.service_id')
    .select(['incidents.id', 'incidents.number', 'incidents.title', 'incidents.drill', 'incidents.service_id', 'services.team_id'])
    .where('incidents.id', '=', incidentId)
    .executeTakeFirst();
  return r && { ...r, number: Number(r.number), drill: Number(r.drill) === 1 };
}

/** The platform's id of the card posted about an incident to a channel, once it was posted (replies thread under it). */
export async function announcedCardId(db: Tx, incidentId: string, platform: string, destination: string): Promise<string | null> {
  const r = await db
    .selectFrom('outbox')
    .select('provider_message_id')
    .where('incident_id', '=', incidentId)
    .where('kind', '=', 'announce')
    .where('channel', '=', platform)
    .where('destination', '=', destination)
    .where('status', '=', 'sent')
    .where('content', 'like', '{"kind":"page"%')
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  return r?.provider_message_id ?? null;
}
