/**
 * Service-level schedule tests: a fresh real database (SQLite, or PostgreSQL when
 * KLAXON_TEST_DATABASE_URL is set) with migrations applied, a fake clock, and people made through
 * the same service verbs the API uses. No HTTP server and no engine timer: tests run engine
 * modules by hand when they need them.
 */
import { openDatabase, sharedSecret } from '../../src/app/klaxon.js';
import { SYSTEM, type Actor } from '../../src/auth/actor.js';
import type { Ctx } from '../../src/context.js';
import { FakeClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createTeam } from '../../src/team/service.js';
import { addContactMethod, createUser } from '../../src/user/service.js';
import { freshDatabase, type DialectName } from '../harness.js';

/** A schedule test world. */
export interface World {
  ctx: Ctx;
  clock: FakeClock;
  /** Adds a user with a verified email contact method; returns an actor for them. */
  person(name: string, o?: { timeZone?: string; role?: 'admin' | 'responder' | 'viewer' }): Promise<Actor & { type: 'user'; email: string }>;
  team(name: string, members: { userId: string; role?: 'member' | 'manager' }[]): Promise<string>;
  /** Outbox rows, parsed. */
  outbox(): Promise<{ channel: string; destination: string; userId: string | null; message: any }[]>;
  close(): Promise<void>;
}

/** Opens a fresh database of `dialect` with the clock at `start`. */
export async function world(dialect: DialectName, start: string): Promise<World> {
  const fresh = await freshDatabase(dialect);
  const db = await openDatabase(fresh.url);
  const clock = new FakeClock(start);
  const ctx: Ctx = {
    db,
    clock,
    log: createLogger('silent'),
    publicUrl: 'http://klaxon.test',
    linkSecret: await sharedSecret(db, 'link_secret'),
    wake: () => {},
    publish: () => {},
  };
  return {
    ctx,
    clock,
    async person(name, o = {}) {
      const email = `${name.toLowerCase()}@example.com`;
      const u = await createUser(ctx, SYSTEM, { email, name, role: o.role ?? 'responder', timeZone: o.timeZone ?? 'Europe/Berlin' });
      const cm = await addContactMethod(ctx, SYSTEM, u.id, { name: 'email', type: 'email', address: email });
      await db.kysely.updateTable('contact_methods').set({ verified_at: clock.now() }).where('id', '=', cm.id).execute();
      await db.kysely.deleteFrom('outbox').execute(); // the verification code
      return { type: 'user', id: u.id, name, role: u.role, email } as Actor & { type: 'user'; email: string };
    },
    async team(name, members) {
      return (await createTeam(ctx, SYSTEM, { name, members })).id;
    },
    async outbox() {
      const rows = await db.kysely.selectFrom('outbox').select(['channel', 'destination', 'user_id', 'content']).orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => ({ channel: r.channel, destination: r.destination, userId: r.user_id, message: JSON.parse(r.content) }));
    },
    async close() {
      await db.close();
      await fresh.drop();
    },
  };
}

/** ISO string of an instant, for readable assertions. */
export const iso = (t: number) => new Date(t).toISOString();
