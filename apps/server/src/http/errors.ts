import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DISK_FULL_MESSAGE, DISK_FULL_RETRY_AFTER_S, isDiskFull } from '../lib/db/disk-full.js';
import { AppError, type ErrorCode } from '../lib/errors.js';

/** The one table from service error code to HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

/** The error body every /api/v1 endpoint answers with. */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details !== undefined && { details }) } };
}

/** Maps any error to a status and body: AppErrors by code, Fastify's client errors by status, anything else 500. */
export function toHttpError(err: unknown): { status: number; body: ReturnType<typeof errorBody> } {
  if (isDiskFull(err)) return { status: 503, body: errorBody('unavailable', DISK_FULL_MESSAGE) };
  if (err instanceof AppError) return { status: STATUS_BY_CODE[err.code], body: errorBody(err.code, err.message, err.details) };
  // PostgreSQL's text cannot hold NUL (SQLSTATE 22021, "invalid byte sequence"): only a client's text gets there.
  if ((err as { code?: unknown } | null)?.code === '22021') return { status: 400, body: errorBody('invalid', 'Text may not contain the NUL character (\\u0000)') };
  const fe = err as FastifyError & { validation?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] };
  if (fe?.validation) {
    const details = fe.validation.map((v) => {
      const extra =
        v.params && 'additionalProperty' in v.params ? ` (${String(v.params.additionalProperty)})` : v.params && 'missingProperty' in v.params ? ` (${String(v.params.missingProperty)})` : '';
      return { path: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)', message: `${v.message ?? 'is invalid'}${extra}` };
    });
    return { status: 400, body: errorBody('invalid', `Invalid request: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details) };
  }
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413 || fe?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: errorBody('payload_too_large', 'The request body is too large') };
  if (fe?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: errorBody('invalid', 'Unsupported Content-Type: send application/json') };
  if (status === 429) return { status, body: errorBody('rate_limited', fe.message || 'Too many requests') };
  if (status >= 400 && status < 500) return { status, body: errorBody('invalid', fe.message || 'Bad request') };
  return { status: 500, body: errorBody('internal', 'Something went wrong on our side; it has been logged') };
}

/** Fastify error handler using toHttpError; logs only server-side faults. */
export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toHttpError(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  if (isDiskFull(err)) void reply.header('retry-after', String(DISK_FULL_RETRY_AFTER_S));
  void reply.status(status).send(body);
}
