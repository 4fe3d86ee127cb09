import { checkOptions } from '../config/check-options.js';
import { ConfigurationError, FieldError, ParamsError } from '../errors.js';
import type { UsingDb } from '../execution/target.js';
import type { Field } from '../fields/base.js';
import { resolveArgs } from '../lookups/resolve.js';
import { planSelect, selectedColumns } from '../plan/select.js';
import { initialState, type PrefetchSpec, type QueryState } from '../query/state.js';
import { fullHydrator, partialHydrator } from './hydrate.js';
import { RELATED, cacheForward, relatedCache, type RelatedCache } from './instance-state.js';
import type { ModelMeta } from './meta.js';
import type { ReverseRelation } from './related-manager.js';
import type { ForwardRelation, ManyToManyRelationMeta, Relation } from './relations.js';
import { withSelectRelated } from './select-related.js';

type Instance = Record<string, unknown>;

/** Keys per IN (…) list: under SQLite's 32 766 bound parameters (the lowest limit), so most levels take one query. */
const CHUNK = 10000;

/** What a Prefetch may carry: a QuerySet of the related model and the attribute to store the rows in. */
export interface PrefetchOptions {
  readonly queryset?: { readonly state: QueryState };
  readonly toAttr?: string;
}

const PREFETCH_OPTIONS = ['queryset', 'toAttr'];

const isQuerySet = (value: unknown): value is { readonly state: QueryState } =>
  typeof value === 'object' && value !== null && 'state' in value && typeof (value as { state: unknown }).state === 'object';

/**
 * `new Prefetch('books', Book.filter({ published: true }).orderBy('-id'), 'publishedBooks')` (Tortoise's
 * order) or `new Prefetch('books', { queryset, toAttr })`: prefetch a relation through a filtered or
 * ordered QuerySet, optionally into another attribute.
 */
export class Prefetch {
  readonly options: PrefetchOptions;

  constructor(readonly relation: string, querysetOrOptions: { readonly state: QueryState } | PrefetchOptions = {}, toAttr?: string) {
    if (typeof relation !== 'string' || relation === '') throw new ParamsError('Prefetch takes a relation name, e.g. new Prefetch("books").');
    const where = `new Prefetch('${relation}')`;
    if (isQuerySet(querysetOrOptions)) {
      this.options = { queryset: querysetOrOptions, ...(toAttr === undefined ? {} : { toAttr }) };
    } else {
      checkOptions(where, querysetOrOptions, PREFETCH_OPTIONS);
      if (toAttr !== undefined) {
        throw new ConfigurationError(`${where}: pass toAttr either as the third argument (after a QuerySet) or in the options object, not both.`);
      }
      const given = querysetOrOptions as PrefetchOptions;
      if (given.queryset !== undefined && !isQuerySet(given.queryset)) {
        throw new ConfigurationError(`${where}: 'queryset' must be a QuerySet of the related model, e.g. Book.filter({ ... }).`);
      }
      this.options = given;
    }
    const attr = this.options.toAttr;
    if (attr !== undefined && (typeof attr !== 'string' || attr === '')) {
      throw new ConfigurationError(`${where}: 'toAttr' must be a non-empty attribute name, got ${JSON.stringify(attr)}.`);
    }
  }
}

/** Parses prefetchRelated arguments into specs, checking every name against the models before any SQL. */
export function prefetchSpecs(meta: ModelMeta, items: readonly (string | Prefetch)[]): PrefetchSpec[] {
  return items.map((item) => {
    const name = typeof item === 'string' ? item : item instanceof Prefetch ? item.relation : undefined;
    if (name === undefined) throw new ParamsError(`${meta.name}: prefetchRelated takes relation names or Prefetch objects.`);
    const path: Relation[] = [];
    let current = meta;
    for (const part of name.split('__')) {
      const relation = current.relations.get(part);
      if (relation === undefined || (relation.kind === 'm2m' && relation.hidden)) {
        const relations = current.relationNames;
        throw new FieldError(
          `${meta.name}: cannot prefetch '${name}': ${current.name} has no relation '${part}'. Relations of ${current.name}: ${relations.length > 0 ? relations.join(', ') : 'none'}.`,
        );
      }
      path.push(relation);
      current = relation.target;
    }
    const queryset = item instanceof Prefetch ? item.options.queryset?.state : undefined;
    if (queryset !== undefined && queryset.meta !== current) {
      throw new ParamsError(`${meta.name}: the Prefetch queryset for '${name}' must query ${current.name}, not ${queryset.meta.name}.`);
    }
    if (queryset !== undefined && queryset.shape.mode !== 'objects') {
      throw new ParamsError(
        `${meta.name}: the Prefetch queryset for '${name}' must return ${current.name} instances; drop values()/valuesList() from it.`,
      );
    }
    return { path, queryset, toAttr: item instanceof Prefetch ? item.options.toAttr : undefined };
  });
}

interface PrefetchNode {
  readonly relation: Relation;
  readonly queryset: QueryState | undefined;
  readonly toAttr: string | undefined;
  readonly children: PrefetchNode[];
}

/** Merges specs into one tree, so 'books' and 'books__tags' load books once. */
function tree(specs: readonly PrefetchSpec[]): PrefetchNode[] {
  const roots: PrefetchNode[] = [];
  for (const spec of specs) {
    let level = roots;
    spec.path.forEach((relation, i) => {
      const last = i === spec.path.length - 1;
      const toAttr = last ? spec.toAttr : undefined;
      let node = level.find((n) => n.relation === relation && n.toAttr === toAttr);
      if (node === undefined) {
        node = { relation, queryset: last ? spec.queryset : undefined, toAttr, children: [] };
        level.push(node);
      } else if (last && spec.queryset !== undefined) {
        (node as { queryset: QueryState | undefined }).queryset = spec.queryset;
      }
      level = node.children;
    });
  }
  return roots;
}

const mapKey = (value: unknown): unknown => (value !== null && typeof value === 'object' ? String(value) : value);

function unique(values: readonly unknown[]): unknown[] {
  const seen = new Map<unknown, unknown>();
  for (const value of values) if (value !== null && value !== undefined) seen.set(mapKey(value), value);
  return [...seen.values()];
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** Rows of `meta` whose `field` is in `keys` (one query per 10 000 keys), with the node's QuerySet applied. */
async function rowsWhereIn(
  meta: ModelMeta,
  key: string,
  keys: readonly unknown[],
  base: QueryState | undefined,
  usingDb: UsingDb | undefined,
  extra: Field | undefined,
  extraPath: readonly Relation[],
): Promise<{ instances: Instance[]; extras: unknown[] }> {
  const { runtime } = meta.bound();
  // Two parallel arrays rather than a pair object per row: prefetching is read-heavy, and this is its hot loop.
  const instances: Instance[] = [];
  const extras: unknown[] = [];
  for (const chunk of chunks(keys)) {
    const start = base ?? initialState(meta);
    const where = [...start.where, ...resolveArgs(meta, runtime.lookups, [{ [`${key}__in`]: chunk }])];
    const state: QueryState = { ...start, where, usingDb: start.usingDb ?? usingDb, limit: undefined, offset: undefined };
    const target = runtime.target(meta, state.usingDb, 'read');
    const extraColumns = extra === undefined ? [] : [{ path: extraPath, field: extra }];
    const { sql, params } = target.dialect.compiler.compile(planSelect(state, target.dialect, undefined, extraColumns));
    const columns = selectedColumns(state);
    const bigint = meta.hasBigInt || extra?.kind === 'bigint' || columns.some((c) => c.field.kind === 'bigint');
    const rows = await target.rows(sql, params, bigint ? { bigint: true } : undefined);
    const conventions = target.dialect.values;
    const root = state.only === undefined ? fullHydrator(meta, conventions) : partialHydrator(meta, state.only, conventions);
    // The queryset's selectRelated columns come before the extra one: attach them, and count them.
    const hydrate = state.selectRelated.length === 0 ? root : withSelectRelated(root, state, conventions);
    const width = columns.length;
    const decodeExtra = extra?.decoder(conventions);
    for (const row of rows) instances.push(hydrate(row) as Instance);
    if (extra !== undefined) {
      for (const row of rows) {
        const raw = row[width];
        extras.push(decodeExtra === undefined || raw === null ? raw : decodeExtra(raw));
      }
    }
  }
  return { instances, extras };
}

function storeOne(instance: Instance, node: PrefetchNode, value: Instance | null): void {
  const relation = node.relation;
  if (node.toAttr !== undefined) instance[node.toAttr] = value;
  else if (relation.kind === 'fk' || relation.kind === 'o2o') cacheForward(instance, relation.name, instance[relation.idField.name], value);
  else relatedCache(instance)[relation.name] = value;
}

function storeMany(instance: Instance, node: PrefetchNode, values: Instance[]): void {
  if (node.toAttr !== undefined) instance[node.toAttr] = values;
  else (instance[node.relation.name] as ReverseRelation<never>).fetched = values as never[];
}

/** The related object already attached to `instance` for its current key (null for none), or undefined. */
function attached(instance: Instance, relation: ForwardRelation): Instance | null | undefined {
  const cache = (instance as RelatedCache)[RELATED];
  if (cache === undefined || !(relation.name in cache)) return undefined;
  const cached = cache[relation.name] as Instance | null;
  const key = instance[relation.idField.name];
  if (cached === null) return key === null || key === undefined ? null : undefined;
  return mapKey(cached[relation.targetField.name]) === mapKey(key) ? cached : undefined;
}

/** Loads one relation level for all `instances`; returns the related instances for the next level. */
async function loadLevel(instances: readonly Instance[], node: PrefetchNode, usingDb: UsingDb | undefined): Promise<Instance[]> {
  const relation = node.relation;
  if (relation.kind === 'fk' || relation.kind === 'o2o') {
    // Objects already attached (selectRelated, an earlier fetch) are kept: reading them again would
    // cost a query and replace them with copies that lack what was loaded onto them.
    const byKey = new Map<unknown, Instance>();
    const missing: Instance[] = [];
    // selectRelated builds one object per row, so several may stand for one key: all go to the next level.
    const kept = new Set<Instance>();
    for (const instance of instances) {
      const cached = node.queryset === undefined && node.toAttr === undefined ? attached(instance, relation) : undefined;
      if (cached === undefined) missing.push(instance);
      else if (cached !== null) {
        byKey.set(mapKey(cached[relation.targetField.name]), cached);
        kept.add(cached);
      }
    }
    const keys = unique(missing.map((i) => i[relation.idField.name])).filter((k) => !byKey.has(mapKey(k)));
    const rows = keys.length === 0 ? [] : (await rowsWhereIn(relation.target, relation.targetField.name, keys, node.queryset, usingDb, undefined, [])).instances;
    for (const instance of rows) {
      byKey.set(mapKey(instance[relation.targetField.name]), instance);
      kept.add(instance);
    }
    for (const instance of missing) {
      const key = instance[relation.idField.name];
      storeOne(instance, node, key === null || key === undefined ? null : (byKey.get(mapKey(key)) ?? null));
    }
    return [...kept];
  }
  if (relation.kind === 'reverseFk' || relation.kind === 'reverseO2o') {
    const { forward } = relation;
    const keys = unique(instances.map((i) => i[forward.targetField.name]));
    const rows = keys.length === 0 ? [] : (await rowsWhereIn(relation.target, forward.idField.name, keys, node.queryset, usingDb, undefined, [])).instances;
    const groups = new Map<unknown, Instance[]>();
    for (const instance of rows) {
      const key = mapKey(instance[forward.idField.name]);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [instance]);
      else group.push(instance);
    }
    for (const instance of instances) {
      const group = groups.get(mapKey(instance[forward.targetField.name])) ?? [];
      if (relation.kind === 'reverseO2o') storeOne(instance, node, group[0] ?? null);
      else storeMany(instance, node, group);
    }
    return rows;
  }
  return loadManyToMany(instances, node, relation as ManyToManyRelationMeta, usingDb);
}

async function loadManyToMany(
  instances: readonly Instance[],
  node: PrefetchNode,
  relation: ManyToManyRelationMeta,
  usingDb: UsingDb | undefined,
): Promise<Instance[]> {
  const owner = relation.model;
  const reverse = [...relation.target.relations.values()].find(
    (r): r is ManyToManyRelationMeta => r.kind === 'm2m' && r.through === relation.through && r.reversed !== relation.reversed,
  )!;
  const keys = unique(instances.map((i) => i[owner.pk.name]));
  // Each target row comes back once per owner it is linked to, with that owner's key read from the through table.
  const { instances: rows, extras } =
    keys.length === 0 ? { instances: [], extras: [] } : await rowsWhereIn(relation.target, reverse.name, keys, node.queryset, usingDb, owner.pk, [reverse]);
  const shared = new Map<unknown, Instance>();
  const groups = new Map<unknown, Instance[]>();
  for (let i = 0; i < rows.length; i++) {
    const instance = rows[i]!;
    const extra = extras[i];
    const pk = mapKey(instance[relation.target.pk.name]);
    const one = shared.get(pk) ?? instance;
    shared.set(pk, one);
    const key = mapKey(extra);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [one]);
    else group.push(one);
  }
  for (const instance of instances) storeMany(instance, node, groups.get(mapKey(instance[owner.pk.name])) ?? []);
  return [...shared.values()];
}

/** Loads the prefetch specs for `instances` (all of model `meta`): one query per relation level. */
export async function runPrefetch(
  instances: readonly Instance[],
  specs: readonly PrefetchSpec[],
  usingDb: UsingDb | undefined,
): Promise<void> {
  await walk(instances, tree(specs), usingDb);
}

async function walk(instances: readonly Instance[], nodes: readonly PrefetchNode[], usingDb: UsingDb | undefined): Promise<void> {
  if (instances.length === 0) return;
  for (const node of nodes) {
    const related = await loadLevel(instances, node, usingDb);
    // A Prefetch queryset's own prefetchRelated applies to its rows, like nested paths do.
    const children = node.queryset === undefined || node.queryset.prefetch.length === 0 ? node.children : [...node.children, ...tree(node.queryset.prefetch)];
    if (children.length > 0) await walk(related, children, usingDb);
  }
}
