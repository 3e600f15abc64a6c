import type { FastifySchemaCompiler } from 'fastify';

/**
 * Route option for bodies the service validates itself (with TypeBox, which never coerces).
 * Fastify's Ajv coerces types, as query strings need; in a body that turns `null` into `0` for a
 * number-or-null field, so "no limit" became "0 minutes" and a cleared due date became 1970. The
 * schema still documents the route in OpenAPI; the service's `parse` answers 400 as usual.
 */
export const validatedByService: { validatorCompiler: FastifySchemaCompiler<unknown> } = {
  validatorCompiler: () => (value: unknown) => ({ value }),
};
