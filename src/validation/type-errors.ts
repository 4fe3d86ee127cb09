/**
 * Pydantic v2's error for a value of the wrong JSON type, shared by the Zod path
 * (src/validation/issues.ts) and the Fastify/Ajv path (src/integrations/ajv-issues.ts), so a
 * wrong type reads the same whichever validated it.
 */
const TYPE_ERRORS: Readonly<Record<string, { readonly type: string; readonly msg: string }>> = {
  string: { type: 'string_type', msg: 'Input should be a valid string' },
  integer: { type: 'int_type', msg: 'Input should be a valid integer' },
  number: { type: 'float_type', msg: 'Input should be a valid number' },
  boolean: { type: 'bool_type', msg: 'Input should be a valid boolean' },
  // Objects are models (request bodies, nested relations) or JSON fields, both dictionaries.
  object: { type: 'model_type', msg: 'Input should be a valid dictionary' },
  array: { type: 'list_type', msg: 'Input should be a valid list' },
  null: { type: 'none_required', msg: 'Input should be None' },
};

/** `jsonType` as JSON Schema names it ('integer', not Zod's 'int'); undefined for other names. */
export function typeError(jsonType: string): { type: string; msg: string } | undefined {
  return TYPE_ERRORS[jsonType];
}
