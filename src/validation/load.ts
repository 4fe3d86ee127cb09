/**
 * Fetches the relations a schema includes that are not loaded yet, level by level, with the
 * prefetch machinery: one query per relation level whatever the number of instances, and none
 * for what is already loaded (selectRelated, an earlier fetchRelated).
 */
import { prefetchSpecs, runPrefetch } from '../model/prefetch.js';
import type { ObjectDesc } from './describe.js';
import { loadedRelation } from './serialize.js';

type Instance = Record<string, unknown>;

/** Every relation path a description reaches (`books`, `books__tags`), for prefetchRelated. */
export function relationPaths(desc: ObjectDesc, prefix = ''): string[] {
  const paths: string[] = [];
  for (const property of desc.properties) {
    if (property.role !== 'relation') continue;
    const path = `${prefix}${property.name}`;
    paths.push(path, ...relationPaths((property.shape as { of: ObjectDesc }).of, `${path}__`));
  }
  return paths;
}

/** Loads what `desc` needs on `instances` (all of `desc.model`). */
export async function loadFor(instances: readonly Instance[], desc: ObjectDesc): Promise<void> {
  if (instances.length === 0) return;
  const missing: string[] = [];
  for (const property of desc.properties) {
    if (property.role !== 'relation') continue;
    const of = (property.shape as { of: ObjectDesc }).of;
    const values = instances.map((instance) => loadedRelation(instance, property));
    if (values.some((v) => v === undefined)) {
      missing.push(property.name, ...relationPaths(of, `${property.name}__`));
      continue;
    }
    const related = values.flatMap((v) => (v === null ? [] : Array.isArray(v) ? (v as Instance[]) : [v as Instance]));
    await loadFor(related, of);
  }
  if (missing.length > 0) await runPrefetch(instances, prefetchSpecs(desc.model, missing), undefined);
}
