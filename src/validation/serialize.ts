/**
 * Instance → JSON-ready plain object, per schema description: only the schema's properties
 * (nothing else leaks), Date → ISO string, bigint → string, Buffer → base64; decimals already are
 * strings. Relations must be loaded (load.ts does it for fromOrm); computed getters and methods are
 * called. One converter per description is built once and reused for every row.
 */
import { NoValuesFetched, ParamsError } from '../errors.js';
import { RELATED, type RelatedCache } from '../model/instance-state.js';
import type { ObjectDesc, PropertyDesc, Shape } from './describe.js';
import { localtime } from '../config/timezone.js';
import { isoString } from '../config/iso-time.js';

type Instance = Record<string, unknown> & RelatedCache;
type Convert = (value: unknown) => unknown;

/** Computed values that turned out to be promises: filled in by `settle` (fromOrm), refused by sync serialisation. */
export type Pending = { target: Record<string, unknown>; key: string; promise: PromiseLike<unknown>; convert: Convert }[];

/** Any value → its JSON-ready form (for computed properties and JSON fields holding Dates or bigints). */
export function jsonReady(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Date) return isoString(value);
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(jsonReady);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonReady(v);
    return out;
  }
  return value;
}

function scalarConverter(shape: Shape): Convert | undefined {
  switch (shape.kind) {
    case 'datetime': {
      // In the app's timezone, as Tortoise's Pydantic models show aware datetimes ('…+08:00').
      const zone = shape.zone ?? (() => 'UTC');
      return (v) => (v instanceof Date ? localtime(v, zone()) : v);
    }
    case 'bigint':
      return (v) => (typeof v === 'bigint' || typeof v === 'number' ? v.toString() : v);
    case 'binary':
      return (v) => (Buffer.isBuffer(v) ? v.toString('base64') : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v);
    case 'any':
    case 'custom':
    case 'date':
      return jsonReady;
    default:
      return undefined;
  }
}

export type ObjectSerializer = (instance: Instance, pending: Pending | undefined) => Record<string, unknown>;

function notLoadedField(desc: ObjectDesc, name: string): ParamsError {
  return new ParamsError(`${desc.model.name}.${name} is not loaded on this instance (was it read with only()?), and the schema ${desc.name} includes it.`);
}

function notLoaded(desc: ObjectDesc, property: PropertyDesc): NoValuesFetched {
  return new NoValuesFetched(
    `${desc.model.name}.${property.name} is not fetched, and the schema ${desc.name} includes it: use fromOrm()/fromQueryset(), which fetch it, or fetchRelated('${property.name}') first.`,
  );
}

/** The loaded value of a relation: the related instance (or null), or the fetched rows; undefined when not loaded. */
export function loadedRelation(instance: Instance, property: PropertyDesc): unknown {
  const relation = property.relation!;
  const cached = instance[RELATED]?.[relation.name];
  if (relation.kind === 'reverseFk' || relation.kind === 'm2m') return (cached as { fetched?: unknown[] } | undefined)?.fetched;
  if (relation.kind !== 'fk' && relation.kind !== 'o2o') return cached;
  const key = instance[relation.idField.name];
  if (key === null || key === undefined) return null;
  if (cached === undefined || cached === null) return undefined;
  // A cached object for an older key is stale (the key was reassigned since).
  return String((cached as Instance)[relation.targetField.name]) === String(key) ? cached : undefined;
}

/** The converter of one description (and, through it, of the nested ones), built once. */
export function serializerFor(root: ObjectDesc): ObjectSerializer {
  const built = new Map<ObjectDesc, ObjectSerializer>();
  const build = (desc: ObjectDesc): ObjectSerializer => {
    const existing = built.get(desc);
    if (existing !== undefined) return existing;
    // One function per description with the keys in an object literal (like hydrate.ts's row mappers):
    // every output object gets one hidden class, and plain fields cost a read and a check.
    const lines: string[] = [];
    const entries: string[] = [];
    const args: unknown[] = [];
    const arg = (value: unknown) => `a${args.push(value) - 1}`;
    desc.properties.forEach((property, index) => {
      const { name, shape } = property;
      const key = JSON.stringify(name);
      const v = `v${index}`;
      if (property.role === 'field') {
        const convert = scalarConverter(shape);
        lines.push(`const ${v} = i[${key}];`, `if (${v} === undefined) throw ${arg(() => notLoadedField(desc, name))}();`);
        entries.push(`${key}: ${convert === undefined ? v : `${v} === null ? null : ${arg(convert)}(${v})`}`);
      } else if (property.role === 'relation') {
        const nested = (shape as { of: ObjectDesc }).of;
        let child: ObjectSerializer | undefined;
        const step = (instance: Instance, pending: Pending | undefined): unknown => {
          child ??= build(nested);
          const value = loadedRelation(instance, property);
          if (value === undefined) throw notLoaded(desc, property);
          if (value === null) return null;
          if (Array.isArray(value)) return value.map((item: Instance) => child!(item, pending));
          return child(value as Instance, pending);
        };
        entries.push(`${key}: ${arg(step)}(i, p)`);
      } else {
        const convert = scalarConverter(shape) ?? jsonReady;
        const step = (instance: Instance, pending: Pending | undefined, out: Record<string, unknown>): unknown => {
          let value = instance[name];
          if (typeof value === 'function') value = (value as () => unknown).call(instance);
          if (value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function') {
            if (pending === undefined) {
              throw new ParamsError(`${desc.model.name}.${name} (computed) returned a promise; serialise with fromOrm()/fromQueryset(), which await it.`);
            }
            pending.push({ target: out, key: name, promise: value as PromiseLike<unknown>, convert });
            return null;
          }
          return value === undefined ? null : convert(value);
        };
        // Computed values are set after the literal, since a pending one needs the object.
        lines.push(`const ${v} = ${arg(step)};`);
        entries.push(`${key}: null`);
      }
    });
    const computed = desc.properties
      .map((property, index) => (property.role === 'computed' ? `o[${JSON.stringify(property.name)}] = v${index}(i, p, o);` : ''))
      .filter((line) => line !== '');
    const body = `${lines.join('\n')}\nconst o = { ${entries.join(', ')} };\n${computed.join('\n')}\nreturn o;`;
    const names = args.map((_, n) => `a${n}`);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from field names through JSON.stringify only
    const serialize = new Function(...names, `return function serialize(i, p) {\n${body}\n};`)(...args) as ObjectSerializer;
    built.set(desc, serialize);
    return serialize;
  };
  return build(root);
}

/** Awaits the computed values that were promises and puts their results in place. */
export async function settle(pending: Pending): Promise<void> {
  const values = await Promise.all(pending.map((p) => p.promise));
  values.forEach((value, i) => {
    const p = pending[i]!;
    p.target[p.key] = value === undefined || value === null ? null : p.convert(value);
  });
}
