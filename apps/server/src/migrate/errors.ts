/** Errors of the importers, apart from types.ts so the source client can throw them without a cycle (types.ts names the client). */
/** An import or compare that cannot go on: names the resource, says what the source answered. Exits the CLI with status 2. */
export class MigrateError extends Error {
  constructor(
    readonly resource: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${resource}: ${message}`);
    this.name = 'MigrateError';
  }
}
