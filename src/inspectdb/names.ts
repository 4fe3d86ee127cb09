/**
 * Names for the classes and members inspectdb writes: Tortoise's names in camelCase, checked
 * against what a model may not be called, and made unique where two columns would share one.
 */
import { Model } from '../model/model.js';

const words = (name: string): string[] => name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
const upperFirst = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const lowerFirst = (word: string): string => word.charAt(0).toLowerCase() + word.slice(1);
/** 'ID' → 'id', 'URLs' stays mixed: a word in capitals only is lower-cased before it is joined. */
const fold = (word: string): string => (/^[A-Z0-9]+$/.test(word) ? word.toLowerCase() : word);

/** A column's member name: 'first_name' → 'firstName', 'firstName' stays, '2fa' → 'f2fa'. */
export function memberName(column: string): string {
  const parts = words(column).map(fold);
  if (parts.length === 0) return 'field';
  const name = lowerFirst(parts[0]!) + parts.slice(1).map(upperFirst).join('');
  return /^[0-9]/.test(name) ? `f${name}` : name;
}

/** A table's class name: 'sc_book' → 'ScBook', 'auth_user' → 'AuthUser'. */
export function className(table: string): string {
  const name = words(table).map(fold).map(upperFirst).join('');
  if (name === '') return 'Table';
  return /^[0-9]/.test(name) ? `T${name}` : name;
}

/** 'tag' → 'tags', 'category' → 'categories', 'box' → 'boxes'. */
export function plural(name: string): string {
  if (/[^aeiou]y$/i.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(name)) return `${name}es`;
  return `${name}s`;
}

/**
 * A key column's relation name: 'authorId' / 'author_id' / 'author_ref' → 'author' (and the
 * 'personRelId' of a self many-to-many → 'person'); a column without such a suffix keeps its name.
 */
export function relationName(column: string): string {
  const name = memberName(column);
  const stripped = name.replace(/(RelId|Id|Ref)$/, '');
  return stripped === '' || stripped === name ? name : stripped;
}

export { lowerFirst, upperFirst };

/** Members a model instance already has (save, delete, pk, …), which a field must not hide. */
const MODEL_MEMBERS: ReadonlySet<string> = new Set(['pk', 'constructor', ...Object.getOwnPropertyNames(Model.prototype)]);

/** Names that would shadow what the written module imports or a global it may need. */
const MODULE_NAMES: ReadonlySet<string> = new Set(['Model', 'fields', 'ReverseRelation', 'ManyToManyRelation', 'ReverseOneToOne']);

/** The names taken in one scope (a class's members, or the module's classes). */
export class NameScope {
  private readonly taken = new Set<string>();

  constructor(private readonly forbidden: (name: string) => boolean) {}

  static members(): NameScope {
    return new NameScope((name) => MODEL_MEMBERS.has(name) || name.includes('__'));
  }

  static classes(): NameScope {
    return new NameScope((name) => MODULE_NAMES.has(name) || name in globalThis);
  }

  has(name: string): boolean {
    return this.taken.has(name) || this.forbidden(name);
  }

  /** `wanted` if free, else `wanted` + suffix, then numbered (`authorRel`, `authorRel2`, …). */
  take(wanted: string, suffix: string, free: (name: string) => boolean = () => true): string {
    const candidates = [wanted, `${wanted}${suffix}`];
    for (let n = 2; ; n++) {
      const name = candidates.shift() ?? `${wanted}${suffix}${n}`;
      if (!this.has(name) && free(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }

  /** Marks a name as used without choosing it (a key's `<name>Id` member). */
  reserve(name: string): void {
    this.taken.add(name);
  }
}
