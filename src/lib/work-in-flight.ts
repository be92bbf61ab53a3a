/**
 * At most `limit` pieces of work running at once, each yielding a count, summed by `settle`. `add`
 * waits while the limit is reached, so a producer loop stays at most `limit` pieces ahead of the
 * slowest. After a failure nothing new is started: `add` and `settle` wait for whatever is still
 * running (no promise is left without a handler) and then throw the first error.
 */
export class WorkInFlight {
  private readonly running = new Set<Promise<void>>();
  private total = 0;
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** Starts tracking `work`; resolves once fewer than `limit` pieces are running. */
  async add(work: Promise<number>): Promise<void> {
    const tracked = work.then(
      (count) => {
        this.total += count;
      },
      (error: unknown) => {
        this.failure ??= { error };
      },
    );
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    while (this.running.size >= this.limit && !this.failure) await Promise.race(this.running);
    if (this.failure) await this.settle();
  }

  /** Waits for all running work: the sum of the counts, or the first error. */
  async settle(): Promise<number> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure.error;
    return this.total;
  }
}
