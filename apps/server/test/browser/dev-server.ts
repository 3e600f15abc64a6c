/**
 * For working on the web app: starts the test Klaxon (fake clock, real SMTP fake) with demo data,
 * serving apps/web/dist, and keeps it running. `npx tsx test/browser/dev-server.ts` in apps/server,
 * then sign in as maya@example.com / correct horse battery. Not a test.
 */
import { startTestKlaxon } from '../harness.js';
import { seedDemo } from './seed.js';
import { ensureWebBuilt } from './support.js';

ensureWebBuilt();
const t = await startTestKlaxon('sqlite', process.env.PORT ? { port: Number(process.env.PORT) } : {});
await seedDemo(t);
console.log(`Klaxon with demo data at ${t.url} (maya@example.com / correct horse battery)`);
process.on('SIGINT', () => void t.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void t.stop().then(() => process.exit(0)));
