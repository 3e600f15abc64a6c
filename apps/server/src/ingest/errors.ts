/** Thrown by an ingest parser for a payload it cannot accept; `errors` lists every problem as "path: message". */
export class IngestError extends Error {
  /** Builds the error from a summary message and the list of problems (e.g. "payload.summary: required"). */
  constructor(
    message: string,
    readonly errors: string[],
  ) {
    super(message);
    this.name = 'IngestError';
  }
}
