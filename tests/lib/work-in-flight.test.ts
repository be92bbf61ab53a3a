import { describe, expect, it } from 'vitest';
import { WorkInFlight } from '../../src/lib/work-in-flight.js';

/** A piece of work that finishes (or fails) when the test says so. */
function deferred() {
  let resolve!: (count: number) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<number>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('WorkInFlight', () => {
  it('runs at most `limit` pieces at once and sums their counts', async () => {
    const pieces = new WorkInFlight(2);
    const [a, b, c] = [deferred(), deferred(), deferred()];
    await pieces.add(a.promise); // one running: add returns at once
    let thirdAdmitted = false;
    const addingB = pieces.add(b.promise).then(() => {
      thirdAdmitted = true;
    });
    await Promise.resolve();
    expect(thirdAdmitted).toBe(false); // two running: the producer waits
    a.resolve(3);
    await addingB;
    const addingC = pieces.add(c.promise); // b and c running: waits for one of them
    b.resolve(4);
    await addingC;
    c.resolve(5);
    expect(await pieces.settle()).toBe(12);
  });

  it('waits for what is still running before it throws the first error', async () => {
    const pieces = new WorkInFlight(3);
    const [a, b] = [deferred(), deferred()];
    await pieces.add(a.promise);
    await pieces.add(b.promise);
    a.reject(new Error('page 1 failed'));
    let settled = false;
    const settling = pieces.settle().finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false); // b is still running
    b.resolve(1);
    await expect(settling).rejects.toThrow('page 1 failed');
    await expect(pieces.add(Promise.resolve(1))).rejects.toThrow('page 1 failed');
  });

  it('refuses a limit below one', () => {
    expect(() => new WorkInFlight(0)).toThrow(RangeError);
  });
});
