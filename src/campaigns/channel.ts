/**
 * The hand-off of a run's results to a `for await` consumer: one result per recipient, in the
 * order they finish, holding the run back while the consumer is more than `limit` behind.
 */
export class ResultChannel<T> {
  readonly #limit: number;
  #attached = false;
  #buffer: T[] = [];
  #closed = false;
  #failure: { error: unknown } | undefined;
  #wakeConsumers: Array<() => void> = [];
  #wakeProducers: Array<() => void> = [];
  /** No longer holds the run back (see `unbound`). */
  #unbounded = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** A consumer is iterating. */
  get attached(): boolean {
    return this.#attached;
  }

  attach(): void {
    this.#attached = true;
  }

  /** The consumer left the loop early: drop what it would have read, hold nothing back. */
  detach(): void {
    this.#attached = false;
    this.#wakeAllProducers();
    this.#buffer = [];
  }

  /** Stop holding the run back: `report()` was awaited inside the loop, and waiting would deadlock. */
  unbound(): void {
    if (!this.#attached || this.#unbounded) return;
    this.#unbounded = true;
    this.#wakeAllProducers();
  }

  /** Hand a result to the consumer (none attached: dropped); waits while the consumer is behind. */
  async push(value: T): Promise<void> {
    if (!this.#attached) return;
    this.#buffer.push(value);
    this.#wakeConsumer();
    while (this.#attached && !this.#unbounded && this.#buffer.length > this.#limit) {
      await new Promise<void>((resolve) => this.#wakeProducers.push(resolve));
    }
  }

  /** No more results; a consumer gets `failure`'s error after the last one, if given. */
  close(failure?: { error: unknown }): void {
    if (failure) this.#failure = failure;
    this.#closed = true;
    this.#wakeConsumer();
  }

  /** The next result for the consumer, waiting for one. */
  async next(): Promise<IteratorResult<T, undefined>> {
    for (;;) {
      const value = this.#buffer.shift();
      if (value) {
        this.#wakeProducers.shift()?.();
        return { value, done: false };
      }
      if (this.#failure) throw this.#failure.error;
      if (this.#closed) return { value: undefined, done: true };
      await new Promise<void>((resolve) => this.#wakeConsumers.push(resolve));
    }
  }

  #wakeConsumer() {
    for (const wake of this.#wakeConsumers.splice(0)) wake();
  }

  #wakeAllProducers() {
    for (const wake of this.#wakeProducers.splice(0)) wake();
  }
}
