/**
 * Undo/redo history of immutable states. Bounded: past the limit the oldest
 * step is forgotten, so a long editing session cannot grow memory without end.
 */
export class UndoStack<T> {
  #past: T[] = [];
  #future: T[] = [];
  #present: T;
  readonly limit: number;

  constructor(initial: T, limit = 200) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    this.#present = initial;
    this.limit = limit;
  }

  get current(): T {
    return this.#present;
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }

  get canRedo(): boolean {
    return this.#future.length > 0;
  }

  /** Records a new state; whatever had been undone can no longer be redone. */
  push(state: T): void {
    this.#past.push(this.#present);
    if (this.#past.length > this.limit) this.#past.shift();
    this.#present = state;
    this.#future = [];
  }

  /** Steps back; answers the state now current, or undefined when there is nothing to undo. */
  undo(): T | undefined {
    const previous = this.#past.pop();
    if (previous === undefined) return undefined;
    this.#future.push(this.#present);
    this.#present = previous;
    return previous;
  }

  redo(): T | undefined {
    const next = this.#future.pop();
    if (next === undefined) return undefined;
    this.#past.push(this.#present);
    this.#present = next;
    return next;
  }

  /** Starts a fresh history at `state` (after loading another document). */
  reset(state: T): void {
    this.#past = [];
    this.#future = [];
    this.#present = state;
  }
}
