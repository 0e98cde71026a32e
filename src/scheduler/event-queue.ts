/** Events pushed by callbacks, read as an async iterable that ends when its signal aborts. */
export class EventQueue<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | undefined;
  private failure: { error: unknown } | undefined;

  push(event: T): void {
    this.queue.push(event);
    this.wake?.();
  }

  /** Ends the reading with this error, once what was pushed before it is read. */
  fail(error: unknown): void {
    this.failure = { error };
    this.wake?.();
  }

  async *read(signal: AbortSignal): AsyncGenerator<T> {
    const stop = () => this.wake?.();
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted) {
        while (this.queue.length) yield this.queue.shift() as T;
        if (this.failure) throw this.failure.error;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}
