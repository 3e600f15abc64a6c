/** The closed set of error codes a service verb may raise; http/errors.ts maps each to a status. */
export type ErrorCode = 'invalid' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'payload_too_large' | 'unavailable';

/** A field-level problem in some input. `path` is a JSON pointer-like dotted path. */
export interface FieldError {
  path: string;
  message: string;
}

/** An error a client can act on: it carries a code, a human message and optional details. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Shorthand constructors. */
export const invalid = (message: string, details?: FieldError[]) => new AppError('invalid', message, details);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'You do not have permission to do that') => new AppError('forbidden', message);
export const conflict = (message: string) => new AppError('conflict', message);
