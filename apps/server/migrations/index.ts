import type { Migration } from 'kysely';
import * as m0001 from './0001-paging-path.js';

/** Every migration, by name; applied in name order on start. */
export const migrations: Record<string, Migration> = {
  '0001-paging-path': m0001,
};
