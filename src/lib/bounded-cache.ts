/**
 * A map that keeps at most `capacity` entries and forgets the least recently used first. The
 * process-level caches (render-once templates, audience snapshots, communication versions) hold values
 * that never go stale under their keys; the bound only keeps a long-running process's memory flat.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      // Re-inserted: a Map's insertion order doubles as least-recently-used order.
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }
}
