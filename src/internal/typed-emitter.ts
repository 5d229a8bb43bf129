/**
 * The emitter a client shares with its resources: eventemitter3 at run time (bundled), declared
 * here so the published declarations name no package a user has not installed.
 * @internal
 */
export interface TypedEmitter<E extends object> {
  on<K extends keyof E & string>(event: K, listener: E[K]): this;
  once<K extends keyof E & string>(event: K, listener: E[K]): this;
  off<K extends keyof E & string>(event: K, listener?: E[K]): this;
  removeListener<K extends keyof E & string>(
    event: K,
    listener?: E[K],
    context?: unknown,
    once?: boolean,
  ): this;
  emit<K extends keyof E & string>(
    event: K,
    ...args: E[K] extends (...a: infer A) => unknown ? A : never
  ): boolean;
  listeners<K extends keyof E & string>(event: K): Array<E[K]>;
  listenerCount(event: keyof E & string): number;
}
