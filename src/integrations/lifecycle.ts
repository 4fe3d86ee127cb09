/**
 * Start and stop for the frameworks without a plugin lifecycle (Hono, Express): init before
 * serving, `close()` on shutdown — Tortoise's `register_tortoise` startup/shutdown pair.
 */
import { checkOptions } from '../config/check-options.js';
import { Terrapin, type InitOptions } from '../terrapin.js';

/** Every key of LifecycleOptions plus the framework's own (no option is silently ignored). */
export function checkRegisterOptions(framework: string, options: unknown, own: readonly string[]): void {
  checkOptions(`registerTerrapin (${framework})`, options, ['generateSchemas', 'terrapin', ...own]);
}

export interface LifecycleOptions {
  /** Create missing tables after init (`generateSchemas({ safe: true })`). Default false. */
  generateSchemas?: boolean;
  /** The instance to initialise and close. Default `Terrapin.default`. */
  terrapin?: Terrapin;
}

/** What `registerTerrapin` returns: the initialised instance and the way to close its connections. */
export interface TerrapinHandle {
  readonly terrapin: Terrapin;
  /** Closes every connection; call it when the server shuts down (after `server.close()`). */
  close(): Promise<void>;
}

export async function startTerrapin(init: InitOptions, options: LifecycleOptions): Promise<TerrapinHandle> {
  const terrapin = options.terrapin ?? Terrapin.default;
  await terrapin.init(init);
  if (options.generateSchemas === true) {
    try {
      await terrapin.generateSchemas({ safe: true });
    } catch (error) {
      await terrapin.close();
      throw error;
    }
  }
  return { terrapin, close: () => terrapin.close() };
}
