import type { FastifySchemaCompiler } from 'fastify';

/**
 * Route option for bodies the service validates itself (with TypeBox, which never coerces), with
 * messages of its own. (It was made when Fastify's Ajv coerced bodies too, turning `null` into `0`
 * for a number-or-null field; bodies are no longer coerced anywhere: validation.ts.) The schema
 * still documents the route in OpenAPI; the service's `parse` answers 400 as usual.
 */
export const validatedByService: { validatorCompiler: FastifySchemaCompiler<unknown> } = {
  validatorCompiler: () => (value: unknown) => ({ value }),
};
