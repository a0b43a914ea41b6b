/**
 * Runs operations one after another per key (a job id), each after every
 * earlier one on that key has finished, whether it resolved or threw; keys
 * do not wait for each other. Both job stores serialise their updates of
 * one record with it, and it forgets a key once its chain is idle.
 */
export class PerKeyChain {
  readonly #chains = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#chains.set(key, tail);
    void tail.then(() => {
      if (this.#chains.get(key) === tail) this.#chains.delete(key);
    });
    return next;
  }
}
