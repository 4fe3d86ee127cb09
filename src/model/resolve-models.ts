import { ConfigurationError } from '../errors.js';
import type { Field } from '../fields/base.js';
import { ForeignKeyDecl, ManyToManyDecl, OnDelete, type ModelRef } from '../fields/relational.js';
import type { Model } from './model.js';
import type { ModelDraft } from './draft.js';
import { ModelMeta } from './meta.js';
import type { ForwardRelation, ManyToManyRelationMeta, Relation, ThroughTable } from './relations.js';

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Finds the draft a relation points at: a thunk returning a class, 'app.Model' or a unique 'Model'. */
function targetDraft(ref: ModelRef<Model>, drafts: readonly ModelDraft[], where: string): ModelDraft {
  if (typeof ref === 'function') {
    let cls: unknown;
    try {
      cls = ref();
    } catch (cause) {
      throw new ConfigurationError(`${where}: the related model thunk threw: ${(cause as Error).message}`, { cause });
    }
    const found = drafts.find((d) => d.cls === cls);
    if (found === undefined) {
      const name = typeof cls === 'function' ? cls.name : String(cls);
      throw new ConfigurationError(
        `${where} refers to ${name}, which is not registered with this Terrapin instance; add the module that defines ${name} to modules.`,
      );
    }
    return found;
  }
  if (typeof ref !== 'string' || ref === '') {
    throw new ConfigurationError(`${where}: the related model must be a thunk (() => Author) or a name ('models.Author').`);
  }
  const dot = ref.lastIndexOf('.');
  const app = dot === -1 ? undefined : ref.slice(0, dot);
  const name = dot === -1 ? ref : ref.slice(dot + 1);
  const matches = drafts.filter((d) => d.name === name && (app === undefined || d.app === app));
  if (matches.length === 1) return matches[0]!;
  const known = drafts.map((d) => `${d.app}.${d.name}`).join(', ');
  if (matches.length === 0) {
    throw new ConfigurationError(`${where} refers to '${ref}', which is not a registered model. Registered: ${known}.`);
  }
  throw new ConfigurationError(`${where} refers to '${ref}', which is ambiguous; write it as 'app.Model' (${known}).`);
}

interface PendingForward {
  readonly draft: ModelDraft;
  readonly name: string;
  readonly decl: ForeignKeyDecl;
  readonly target: ModelDraft;
  readonly idField: Field;
  readonly targetField: Field;
}

function keyField(decl: ForeignKeyDecl, target: ModelDraft, where: string): Field {
  const name = decl.options.toField;
  if (name === undefined) return target.pk;
  const member = target.members.find((m) => m.name === name);
  if (member === undefined || !('field' in member)) {
    throw new ConfigurationError(`${where}: toField '${name}' is not a field of ${target.name}.`);
  }
  if (!member.field.unique) {
    throw new ConfigurationError(`${where}: toField '${name}' must be unique on ${target.name}; add unique: true.`);
  }
  return member.field;
}

function checkFreeName(meta: ModelMeta, name: string, where: string): void {
  if (meta.fieldsByName.has(name) || meta.relations.has(name)) {
    throw new ConfigurationError(
      `${where}: the reverse relation name '${name}' clashes with ${meta.name}.${name}; choose another relatedName (or relatedName: false).`,
    );
  }
}

/**
 * Turns drafts into frozen metadata: adds each foreign key's id field (`authorId`) where the key
 * was declared, then links forward, reverse and many-to-many relations on both sides.
 */
export function buildMetas(drafts: readonly ModelDraft[]): ModelMeta[] {
  const forwards: PendingForward[] = [];
  const metas = new Map<ModelDraft, ModelMeta>();
  for (const draft of drafts) {
    const fields: Field[] = [];
    for (const member of draft.members) {
      if ('field' in member) {
        fields.push(member.field);
        continue;
      }
      if (!(member.decl instanceof ForeignKeyDecl)) continue;
      const where = `${draft.name}.${member.name}`;
      const decl = member.decl;
      const target = targetDraft(decl.to, drafts, where);
      const targetField = keyField(decl, target, where);
      const nullable = decl.options.null === true;
      const onDelete = decl.options.onDelete ?? 'CASCADE';
      if (!Object.hasOwn(OnDelete, onDelete)) {
        throw new ConfigurationError(`${where}: onDelete '${String(onDelete)}' is not one of ${Object.keys(OnDelete).join(', ')}.`);
      }
      if (onDelete === 'SET_NULL' && !nullable) {
        throw new ConfigurationError(`${where}: onDelete SET_NULL needs null: true on the foreign key.`);
      }
      const idName = `${member.name}Id`;
      if (draft.members.some((m) => m.name === idName)) {
        throw new ConfigurationError(`${where}: ${draft.name} already has a member '${idName}', the name of this key's column attribute.`);
      }
      const idField = targetField.foreignKeyCopy({
        name: idName,
        column: decl.options.sourceField ?? idName,
        modelName: draft.name,
        nullable,
        unique: decl.kind === 'o2o',
        index: decl.options.index ?? true,
        description: decl.options.description,
      });
      fields.push(idField);
      forwards.push({ draft, name: member.name, decl, target, idField, targetField });
    }
    const columns = new Set<string>();
    for (const field of fields) {
      if (columns.has(field.column)) {
        throw new ConfigurationError(`${draft.name}: two fields use the column '${field.column}'; give one a different sourceField.`);
      }
      columns.add(field.column);
    }
    metas.set(draft, new ModelMeta(draft.cls, draft.name, draft.table, fields, draft.options, draft.app));
  }

  for (const pending of forwards) {
    const model = metas.get(pending.draft)!;
    const target = metas.get(pending.target)!;
    const { decl } = pending;
    const related = decl.options.relatedName;
    const relatedName = related === false ? undefined : (related ?? (decl.kind === 'o2o' ? model.table : `${model.table}s`));
    const forward: ForwardRelation = {
      kind: decl.kind,
      name: pending.name,
      model,
      target,
      idField: pending.idField,
      targetField: pending.targetField,
      nullable: decl.options.null === true,
      onDelete: decl.options.onDelete ?? 'CASCADE',
      dbConstraint: decl.options.dbConstraint ?? true,
      relatedName,
    };
    model.relations.set(forward.name, forward);
  }
  // Reverse sides after every forward one, so a clash names whichever came second.
  for (const pending of forwards) {
    const model = metas.get(pending.draft)!;
    const forward = model.relations.get(pending.name) as ForwardRelation;
    if (forward.relatedName === undefined) continue;
    checkFreeName(forward.target, forward.relatedName, `${model.name}.${forward.name}`);
    forward.target.relations.set(forward.relatedName, {
      kind: forward.kind === 'o2o' ? 'reverseO2o' : 'reverseFk',
      name: forward.relatedName,
      model: forward.target,
      target: model,
      forward,
    });
  }

  for (const draft of drafts) {
    for (const member of draft.members) {
      if (!('decl' in member) || !(member.decl instanceof ManyToManyDecl)) continue;
      linkManyToMany(metas.get(draft)!, member.name, member.decl, drafts, metas);
    }
  }
  return [...metas.values()];
}

function checkedOnDelete(value: OnDelete | undefined, where: string): OnDelete {
  const onDelete = value ?? 'CASCADE';
  if (!Object.hasOwn(OnDelete, onDelete)) {
    throw new ConfigurationError(`${where}: onDelete '${String(onDelete)}' is not one of ${Object.keys(OnDelete).join(', ')}.`);
  }
  return onDelete;
}

function linkManyToMany(
  model: ModelMeta,
  name: string,
  decl: ManyToManyDecl,
  drafts: readonly ModelDraft[],
  metas: ReadonlyMap<ModelDraft, ModelMeta>,
): void {
  const where = `${model.name}.${name}`;
  const target = metas.get(targetDraft(decl.to, drafts, where))!;
  const { options } = decl;
  let through: ThroughTable;
  if (typeof options.through === 'function') {
    const throughMeta = metas.get(targetDraft(options.through, drafts, `${where} (through)`))!;
    const keys = [...throughMeta.relations.values()].filter((r): r is ForwardRelation => r.kind === 'fk' || r.kind === 'o2o');
    const backward = keys.find((r) => r.target === model && (options.backwardKey === undefined || r.idField.column === options.backwardKey));
    const forward = keys.find(
      (r) => r.target === target && r !== backward && (options.forwardKey === undefined || r.idField.column === options.forwardKey),
    );
    if (backward === undefined || forward === undefined) {
      throw new ConfigurationError(
        `${where}: the through model ${throughMeta.name} needs a ForeignKeyField to ${model.name} and one to ${target.name}.`,
      );
    }
    through = {
      table: throughMeta.table,
      backwardKey: backward.idField.column,
      forwardKey: forward.idField.column,
      model: throughMeta,
      onDelete: backward.onDelete,
      dbConstraint: backward.dbConstraint,
      unique: false,
    };
  } else {
    let backwardKey = options.backwardKey ?? `${lowerFirst(model.name)}Id`;
    const forwardKey = options.forwardKey ?? `${lowerFirst(target.name)}Id`;
    if (backwardKey === forwardKey) backwardKey = `${lowerFirst(model.name)}RelId`;
    through = {
      table: options.through ?? `${model.table}_${target.table}`,
      backwardKey,
      forwardKey,
      model: undefined,
      onDelete: checkedOnDelete(options.onDelete, where),
      dbConstraint: options.dbConstraint ?? true,
      unique: options.createUniqueIndex ?? true,
    };
  }
  const forward: ManyToManyRelationMeta = {
    kind: 'm2m',
    name,
    model,
    target,
    through,
    ownKey: through.backwardKey,
    targetKey: through.forwardKey,
    reversed: false,
    hidden: false,
  };
  model.relations.set(name, forward);
  const related = options.relatedName;
  const reverseName = related === false ? `_m2m_${model.name}_${name}` : (related ?? `${model.table}s`);
  if (related !== false) checkFreeName(target, reverseName, where);
  const reverse: Relation = {
    kind: 'm2m',
    name: reverseName,
    model: target,
    target: model,
    through,
    ownKey: through.forwardKey,
    targetKey: through.backwardKey,
    reversed: true,
    hidden: related === false,
  };
  target.relations.set(reverseName, reverse);
}
