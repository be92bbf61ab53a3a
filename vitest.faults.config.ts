import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault-injection matrix. Its files end in `.fault.ts`, not `.test.ts`, so
 * `npm test` (which collects every `.test.ts` under tests) does not pick up a minute of killed
 * processes and restarted servers. Scenarios that span processes need PostgreSQL (DATABASE_URL).
 */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.fault.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    pool: 'forks',
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Each file runs worker or API children; two files at a time is what two cores carry.
    maxWorkers: 2,
  },
});
