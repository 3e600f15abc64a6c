import { MigrationStatusAnswer } from '@klaxon/contract';
import { getMigrationStatus } from '../../migrate/run.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

/** The last import applied and the last comparison run from the CLI (docs/migrate.md), for admins. */
export async function migrationRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  app.get(
    '/migration',
    { schema: { tags: ['migration'], summary: 'The last applied import (its report) and the last comparison with the source (admins)', response: { 200: MigrationStatusAnswer } } },
    async (req) => getMigrationStatus(ctx, await actorOf(ctx, req)),
  );
}
