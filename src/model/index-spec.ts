import { NotSupportedError, ParamsError } from '../errors.js';

/** What `Index({...})` takes; only `fields` is built so far, the others are refused by name. */
export interface IndexOptions {
  /** The fields indexed together, in order. */
  fields: readonly string[];
}

/** Options Tortoise's and Django's Index have that Terrapin does not build yet, each refused with a reason. */
const NOT_YET: Readonly<Record<string, string>> = {
  name: 'index names are derived from the table and columns (idx_<table>_<columns>)',
  type: 'every index is the backend\'s default kind (B-tree)',
  where: 'partial indexes are not built yet',
  expressions: 'indexes on expressions are not built yet',
  unique: "use meta.uniqueTogether for a unique group of fields",
};

/**
 * An index over several fields in `meta.indexes`, as Tortoise's `Index(fields=…)`:
 * `static meta = { indexes: [Index({ fields: ['lastName', 'firstName'] })] }`, the same as the
 * plain list `['lastName', 'firstName']`.
 */
export class IndexSpec {
  readonly fields: readonly string[];
  constructor(options: IndexOptions) {
    if (options === null || typeof options !== 'object') throw new ParamsError("Index takes { fields: [...] }, e.g. Index({ fields: ['lastName', 'firstName'] }).");
    for (const key of Object.keys(options)) {
      if (key === 'fields') continue;
      const reason = NOT_YET[key];
      if (reason !== undefined) throw new NotSupportedError(`Index: '${key}' is not supported yet; ${reason}.`);
      throw new ParamsError(`Index: unknown option '${key}'; the options are 'fields'.`);
    }
    if (!Array.isArray(options.fields) || options.fields.length === 0 || options.fields.some((f) => typeof f !== 'string')) {
      throw new ParamsError(`Index: 'fields' must be a non-empty list of field names, got ${JSON.stringify(options.fields)}.`);
    }
    this.fields = [...options.fields];
  }
}

/** `Index({ fields: ['lastName', 'firstName'] })` in meta.indexes: see IndexSpec. */
export function Index(options: IndexOptions): IndexSpec {
  return new IndexSpec(options);
}
