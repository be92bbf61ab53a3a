import type { Worker } from 'bullmq';

/**
 * Resolves once `done()` holds, re-checking whenever one of the workers finishes or fails a job
 * (no sleeping); rejects after `timeoutMs` with the last state seen, so a stuck pipeline fails clearly.
 */
export async function waitForWorkers<T>(
  workers: Worker[],
  done: () => Promise<T | false | null | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const first = await done();
  if (first) return first;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let checking = false;
    let again = false;
    const cleanup = () => {
      settled = true;
      clearTimeout(timer);
      for (const worker of workers) {
        worker.off('completed', check);
        worker.off('failed', check);
      }
    };
    const check = async () => {
      if (settled) return;
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          const value = await done();
          if (value) {
            cleanup();
            resolve(value);
            return;
          }
        } while (again);
      } catch (error) {
        cleanup();
        reject(error);
      } finally {
        checking = false;
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`workers did not reach the expected state within ${timeoutMs} ms`));
    }, timeoutMs);
    for (const worker of workers) {
      worker.on('completed', check);
      worker.on('failed', check);
    }
    void check();
  });
}
