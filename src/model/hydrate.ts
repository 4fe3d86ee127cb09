import type { ValueConventions } from '../dialects/dialect.js';
import { IncompleteInstanceError } from '../errors.js';
import type { Decoder, Field } from '../fields/base.js';
import { LOADED, SAVED } from './instance-state.js';
import type { ModelMeta } from './meta.js';

export type RowMapper = (row: readonly unknown[]) => unknown;

/**
 * Builds a function from a row array to a model instance for one list of fields, compiled
 * once (JIT) so each row is a straight run of property writes in declaration order.
 * The model's constructor, and its field factories, never run: a compiled constructor with the
 * model's prototype makes the instance.
 */
function compileMapper(
  prototype: object,
  names: readonly string[],
  decoders: readonly Decoder[],
  finish: (instance: Record<PropertyKey, unknown>) => void,
  offset = 0,
): RowMapper {
  const lines = names.map((name, i) =>
    decoders[i] === undefined
      ? `this[${JSON.stringify(name)}] = row[${i + offset}];`
      : `this[${JSON.stringify(name)}] = row[${i + offset}] === null ? null : d[${i}](row[${i + offset}]);`,
  );
  // A constructor of its own sharing the model's prototype, rather than Object.create(proto) and
  // assignments: V8 then sizes the instances to hold every field in-object (2 000 rows hydrate in
  // about 40 µs instead of 47–75 µs, and less memory per instance).
  const body = `function Loaded(row) { ${lines.join(' ')} } Loaded.prototype = proto; return function hydrate(row) { const o = new Loaded(row); finish(o); return o; };`;
  return new Function('proto', 'd', 'finish', body)(prototype, decoders, finish) as RowMapper;
}

const markSaved = (o: Record<PropertyKey, unknown>): void => {
  o[SAVED] = true;
};

/**
 * Hydrator for full rows (every field, declaration order) starting at column `offset` (related
 * models read by selectRelated sit after the main model's columns), cached per model and backend.
 */
export function fullHydrator(meta: ModelMeta, conventions: ValueConventions, offset = 0): RowMapper {
  let cache = fullCache.get(meta);
  if (cache === undefined) fullCache.set(meta, (cache = new Map()));
  const key = `${offset}`;
  let byOffset = cache.get(conventions);
  if (byOffset === undefined) cache.set(conventions, (byOffset = new Map()));
  let mapper = byOffset.get(key);
  if (mapper === undefined) {
    mapper = compileMapper(
      meta.cls.prototype,
      meta.fields.map((f) => f.name),
      meta.fields.map((f) => f.decoder(conventions)),
      markSaved,
      offset,
    );
    byOffset.set(key, mapper);
  }
  return mapper;
}

const fullCache = new WeakMap<ModelMeta, Map<ValueConventions, Map<string, RowMapper>>>();

/**
 * Hydrator for `only()` rows: the missing fields become accessors that raise a clear error
 * instead of reading as undefined.
 */
export function partialHydrator(meta: ModelMeta, fields: readonly Field[], conventions: ValueConventions): RowMapper {
  const loaded = new Set(fields.map((f) => f.name));
  const missing = meta.fields.filter((f) => !loaded.has(f.name));
  const finish = (o: Record<PropertyKey, unknown>): void => {
    o[SAVED] = true;
    o[LOADED] = loaded;
    for (const field of missing) {
      Object.defineProperty(o, field.name, {
        configurable: true,
        enumerable: false,
        get() {
          throw new IncompleteInstanceError(
            `${meta.name}.${field.name} was not loaded: the query used only(${[...loaded].map((n) => `'${n}'`).join(', ')}). Add it to only(), or call refreshFromDb().`,
          );
        },
        set(value: unknown) {
          Object.defineProperty(o, field.name, { value, writable: true, enumerable: true, configurable: true });
        },
      });
    }
  };
  return compileMapper(
    meta.cls.prototype,
    fields.map((f) => f.name),
    fields.map((f) => f.decoder(conventions)),
    finish,
  );
}

/** Row arrays → plain objects keyed by `keys` (values()), compiled once per backend, first field and keys. */
export function valuesMapper(keys: readonly string[], fields: readonly Field[], conventions: ValueConventions): RowMapper {
  const first = fields[0];
  if (first === undefined) return () => ({});
  let byField = valuesCache.get(conventions);
  if (byField === undefined) valuesCache.set(conventions, (byField = new WeakMap()));
  let byKeys = byField.get(first);
  if (byKeys === undefined) byField.set(first, (byKeys = new Map()));
  const id = keys.join('\u0000');
  const hit = byKeys.get(id);
  if (hit !== undefined && hit.fields.length === fields.length && hit.fields.every((f, i) => f === fields[i])) return hit.mapper;
  const mapper = compileMapper(
    Object.prototype,
    keys,
    fields.map((f) => f.decoder(conventions)),
    () => {},
  );
  byKeys.set(id, { fields, mapper });
  return mapper;
}

const valuesCache = new WeakMap<ValueConventions, WeakMap<Field, Map<string, { readonly fields: readonly Field[]; readonly mapper: RowMapper }>>>();

/** Row arrays → decoded tuples (valuesList()), or single values when flat. */
export function listMapper(fields: readonly Field[], conventions: ValueConventions, flat: boolean): RowMapper {
  const decoders = fields.map((f) => f.decoder(conventions));
  if (flat) {
    const d = decoders[0];
    return d === undefined ? (row) => row[0] : (row) => (row[0] === null ? null : d(row[0]));
  }
  return (row) => row.map((raw, i) => {
    const d = decoders[i];
    return d === undefined || raw === null ? raw : d(raw);
  });
}

/** Wraps an instance mapper so annotation values (after the model's columns) become properties. */
export function withAnnotations(
  mapper: RowMapper,
  state: { readonly annotations: readonly { readonly name: string; readonly field: Field }[]; readonly only: readonly Field[] | undefined; readonly meta: ModelMeta; readonly selectRelated: readonly (readonly { readonly target: ModelMeta }[])[] },
  conventions: ValueConventions,
): RowMapper {
  let offset = (state.only ?? state.meta.fields).length;
  for (const path of state.selectRelated) offset += path[path.length - 1]!.target.fields.length;
  const names = state.annotations.map((a) => a.name);
  const decoders = state.annotations.map((a) => a.field.decoder(conventions));
  return (row) => {
    const instance = mapper(row) as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      const raw = row[offset + i];
      const decode = decoders[i];
      instance[names[i]!] = raw === null || decode === undefined ? raw : decode(raw);
    }
    return instance;
  };
}
