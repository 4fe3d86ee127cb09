/**
 * Request validation as FastAPI does it: a JSON body must already have the right types (a number
 * where a string is expected is a 422, not silently "5"), while query strings, path parameters
 * and headers — which are always text — are converted to the declared types.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

const COMMON: Options = { useDefaults: true, removeAdditional: true, allErrors: true, strict: false };

function makeAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...COMMON, ...options });
  (addFormats as unknown as (ajv: Ajv) => void)(ajv);
  return ajv;
}

/**
 * Installs the validators: strict for bodies, converting for the other parts of a request.
 * Unknown body keys are refused (extra_forbidden), as with Tortoise's Pydantic models
 * (extra="forbid"), instead of Fastify's default of dropping them silently; so are unknown query
 * keys when the querystring schema says `additionalProperties: false` (a misspelt filter is a 422,
 * not a list that silently ignores it).
 */
export function installValidators(app: FastifyInstance): void {
  const body = makeAjv({ coerceTypes: false, removeAdditional: false });
  const query = makeAjv({ coerceTypes: 'array', removeAdditional: false });
  const text = makeAjv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? body : httpPart === 'querystring' ? query : text).compile(schema as FastifySchema & object),
  );
}
