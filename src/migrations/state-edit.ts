/** Immutable edits of a ProjectState, with the errors an operation that does not fit the state raises. */
import { ConfigurationError } from '../errors.js';
import type { FieldState, ModelState, ProjectState } from './state.js';
import { modelKey } from './state.js';
import type { Where } from './operations/operation.js';

export function modelEntry(state: ProjectState, ref: string, where: Where): [string, ModelState] {
  const key = modelKey(where.app, ref);
  const model = state.models[key];
  if (model === undefined) {
    const known = Object.keys(state.models).join(', ') || 'none';
    throw new ConfigurationError(`${where.label}: there is no model '${ref}' at this point of the migrations (models: ${known}).`);
  }
  return [key, model];
}

export function withModel(state: ProjectState, key: string, model: ModelState): ProjectState {
  return { models: { ...state.models, [key]: model } };
}

export function withoutModel(state: ProjectState, key: string): ProjectState {
  const models = { ...state.models };
  delete models[key];
  return { models };
}

export function fieldOf(model: ModelState, name: string, where: Where): FieldState {
  const field = model.fields.find((f) => f.name === name);
  if (field === undefined) {
    throw new ConfigurationError(`${where.label}: ${model.name} has no field '${name}' at this point of the migrations (fields: ${model.fields.map((f) => f.name).join(', ')}).`);
  }
  return field;
}

export function refuseTaken(model: ModelState, name: string, where: Where): void {
  if (model.fields.some((f) => f.name === name) || (model.manyToMany ?? []).some((m) => m.name === name)) {
    throw new ConfigurationError(`${where.label}: ${model.name} already has a field '${name}'.`);
  }
}

/** A copy without the keys whose value is undefined (the state leaves out options at their default). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
