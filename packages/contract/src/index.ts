/**
 * The API contract: the TypeBox schema of every /api/v1 request (body, query, path parameters) and
 * every answer, with its static type under the same name. The server validates requests and declares
 * answers with these (so /api/v1/openapi.json describes both); the web app and the CLI take the
 * types (`import type`, nothing at run time). A new route: its schemas here first (docs/architecture.md).
 */
export * from './common.js';
export * from './lists.js';
export * from './auth.js';
export * from './sso.js';
export * from './users.js';
export * from './escalation.js';
export * from './services.js';
export * from './incidents.js';
export * from './schedules.js';
export * from './warroom.js';
export * from './chat.js';
export * from './postmortems.js';
export * from './status.js';
export * from './reports.js';
export * from './setup.js';
export * from './heartbeats.js';
export * from './rules.js';
export * from './hotlines.js';
export * from './audit.js';
