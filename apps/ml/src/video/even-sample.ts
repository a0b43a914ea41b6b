/**
 * An even sample of a sequence whose length is unknown until it ends, in
 * bounded memory: item n is kept when n is a multiple of the stride, and
 * whenever more than `cap` are kept the stride doubles and every other kept
 * item goes. At the end between cap/2 and cap items are kept (all of them
 * when there were at most `cap`), spaced `stride` apart from item 0.
 */
export class EvenSample<T> {
  readonly #cap: number;
  #stride = 1;
  #kept: Array<{ n: number; item: T }> = [];

  constructor(cap: number) {
    if (!(Number.isInteger(cap) && cap >= 1)) throw new RangeError('cap must be a whole number >= 1');
    this.#cap = cap;
  }

  /** Whether item `n` would be kept now: callers skip building items that would be dropped at once. */
  wants(n: number): boolean {
    return n % this.#stride === 0;
  }

  /** Offers item `n` (0, 1, 2, … in order). */
  offer(n: number, item: T): void {
    if (!this.wants(n)) return;
    this.#kept.push({ n, item });
    while (this.#kept.length > this.#cap) {
      this.#stride *= 2;
      this.#kept = this.#kept.filter((k) => k.n % this.#stride === 0);
    }
  }

  get items(): T[] {
    return this.#kept.map((k) => k.item);
  }
}
