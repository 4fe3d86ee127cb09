import { NoValuesFetched, ValidationError } from '../errors.js';
import { QuerySet } from '../query/queryset.js';
import { RELATED, cacheForward, cachedForward, relatedCache, type RelatedCache } from './instance-state.js';
import type { ModelMeta } from './meta.js';
import type { Model } from './model.js';
import { ManyToManyRelation, ReverseRelation, ownerTargetKey } from './related-manager.js';
import type { BackwardRelation, ForwardRelation, Relation } from './relations.js';

type Instance = Record<string, unknown> & RelatedCache;

/**
 * An awaitable stand-in for a relation that is not loaded yet: `await book.author` fetches it;
 * touching anything else on it raises NoValuesFetched instead of reading undefined.
 */
function pendingRelation(load: () => Promise<unknown>, label: string, name: string): unknown {
  const message = `${label} is not fetched: await it first (const x = await ${label.split('.')[0]!.toLowerCase()}.${name}), or load it with fetchRelated('${name}'), prefetchRelated('${name}') or selectRelated('${name}').`;
  const thenable = {
    then: (onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) =>
      load().then(onFulfilled, onRejected),
    catch: (onRejected?: (reason: unknown) => unknown) => load().catch(onRejected),
    finally: (onFinally?: () => void) => load().finally(onFinally),
  };
  return new Proxy(thenable, {
    get(target, prop) {
      if (prop === 'then' || prop === 'catch' || prop === 'finally') return target[prop];
      if (typeof prop === 'symbol') return undefined;
      throw new NoValuesFetched(message);
    },
  });
}

function forwardAccessor(meta: ModelMeta, relation: ForwardRelation): PropertyDescriptor {
  const { name, idField, targetField, target } = relation;
  const label = `${meta.name}.${name}`;
  return {
    configurable: true,
    enumerable: false,
    get(this: Instance) {
      const key = this[idField.name];
      const cached = cachedForward(this, name, key);
      if (cached !== undefined) return cached.value;
      if (key === null || key === undefined) return null;
      const load = async () => {
        const found = await new QuerySet<Model>(target).filter({ [targetField.name]: key } as never).first();
        cacheForward(this, name, key, found);
        return found;
      };
      return pendingRelation(load, label, name);
    },
    set(this: Instance, value: unknown) {
      if (value === null || value === undefined) {
        this[idField.name] = null;
        cacheForward(this, name, null, null);
        return;
      }
      if (!(value instanceof (target.cls as unknown as typeof Model))) {
        throw new ValidationError(
          `${label} takes a ${target.name} instance (or null); set ${idField.name} to assign by key.`,
          meta.name,
          name,
          value,
        );
      }
      const key = (value as unknown as Instance)[targetField.name];
      if (key === undefined || key === null) {
        throw new ValidationError(`${label}: the ${target.name} is not saved yet (it has no ${targetField.name}); save it first.`, meta.name, name, value);
      }
      this[idField.name] = key;
      cacheForward(this, name, key, value);
    },
  };
}

function reverseOneAccessor(meta: ModelMeta, relation: BackwardRelation): PropertyDescriptor {
  const { name, forward, target } = relation;
  const label = `${meta.name}.${name}`;
  return {
    configurable: true,
    enumerable: false,
    get(this: Instance) {
      const cache = this[RELATED];
      if (cache !== undefined && name in cache) return cache[name];
      const load = async () => {
        const key = ownerTargetKey(this, meta, relation);
        const found = key === undefined ? null : await new QuerySet<Model>(target).filter({ [forward.idField.name]: key } as never).first();
        relatedCache(this)[name] = found;
        return found;
      };
      return pendingRelation(load, label, name);
    },
  };
}

function managerAccessor(meta: ModelMeta, relation: Relation): PropertyDescriptor {
  const { name } = relation;
  const make =
    relation.kind === 'm2m'
      ? (owner: Instance) => new ManyToManyRelation<Model>(owner, meta, relation)
      : (owner: Instance) => new ReverseRelation<Model>(owner, meta, relation as BackwardRelation);
  return {
    configurable: true,
    enumerable: false,
    get(this: Instance) {
      const cache = relatedCache(this);
      let manager = cache[name] as ReverseRelation<Model, 'reverseFk' | 'm2m'> | undefined;
      if (manager === undefined) {
        manager = make(this);
        cache[name] = manager;
      }
      return manager;
    },
  };
}

/** Defines the relation properties on each model's prototype (instances never own them). */
export function installRelationAccessors(metas: readonly ModelMeta[]): void {
  for (const meta of metas) {
    const prototype = meta.cls.prototype as object;
    for (const relation of meta.relations.values()) {
      if (relation.kind === 'm2m' && relation.hidden) continue;
      let descriptor: PropertyDescriptor;
      if (relation.kind === 'fk' || relation.kind === 'o2o') descriptor = forwardAccessor(meta, relation);
      else if (relation.kind === 'reverseO2o') descriptor = reverseOneAccessor(meta, relation);
      else descriptor = managerAccessor(meta, relation);
      Object.defineProperty(prototype, relation.name, descriptor);
    }
  }
}
