import type { Target } from '../execution/target.js';
import type { ModelClassLike, ModelMeta } from './meta.js';

export type SignalName = 'preSave' | 'postSave' | 'preDelete' | 'postDelete';

export interface SaveSignal<M> {
  readonly sender: ModelClassLike;
  readonly instance: M;
  /** The connection or transaction the write runs on (the same one for the listener's own queries). */
  readonly usingDb: Target;
  readonly updateFields: readonly string[] | undefined;
}
export interface PostSaveSignal<M> extends SaveSignal<M> {
  /** True when the save inserted the row. */
  readonly created: boolean;
}
export interface DeleteSignal<M> {
  readonly sender: ModelClassLike;
  readonly instance: M;
  readonly usingDb: Target;
}

export interface SignalArgs<M> {
  preSave: SaveSignal<M>;
  postSave: PostSaveSignal<M>;
  preDelete: DeleteSignal<M>;
  postDelete: DeleteSignal<M>;
}

export type Listener<M, S extends SignalName> = (event: SignalArgs<M>[S]) => unknown;

const LISTENERS = Symbol('terrapin.listeners');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one list per signal, each with its own event type
type AnyListener = (event: any) => unknown;
type ListenerTable = Partial<Record<SignalName, AnyListener[]>>;

/** The listeners registered on a model class (its own, not a parent's). */
function table(cls: ModelClassLike): ListenerTable {
  const holder = cls as unknown as Record<symbol, ListenerTable | undefined>;
  if (!Object.hasOwn(cls, LISTENERS)) {
    Object.defineProperty(cls, LISTENERS, { value: {}, enumerable: false, configurable: true });
  }
  return holder[LISTENERS]!;
}

const SIGNALS: readonly SignalName[] = ['preSave', 'postSave', 'preDelete', 'postDelete'];

/** Registers `listener` for `signal` on the model; returns a function that removes it. */
export function registerListener<M, S extends SignalName>(cls: ModelClassLike, signal: S, listener: Listener<M, S>): () => void {
  if (!SIGNALS.includes(signal)) throw new TypeError(`Unknown signal '${String(signal)}'; use one of ${SIGNALS.join(', ')}.`);
  const list: AnyListener[] = (table(cls)[signal as SignalName] ??= []);
  list.push(listener as AnyListener);
  return () => {
    const index = list.indexOf(listener as AnyListener);
    if (index !== -1) list.splice(index, 1);
  };
}

export function hasListeners(meta: ModelMeta, signals: readonly SignalName[]): boolean {
  const own = Object.hasOwn(meta.cls, LISTENERS) ? table(meta.cls) : undefined;
  return own !== undefined && signals.some((s) => (own[s]?.length ?? 0) > 0);
}

/** Calls the listeners one after another, awaiting each (a throw stops the write and rolls it back). */
export async function emit<S extends SignalName>(meta: ModelMeta, signal: S, event: SignalArgs<unknown>[S]): Promise<void> {
  if (!Object.hasOwn(meta.cls, LISTENERS)) return;
  for (const listener of [...(table(meta.cls)[signal] ?? [])]) await listener(event);
}
