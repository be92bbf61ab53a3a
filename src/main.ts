import { boot } from './boot.js';
import { type DemoWorkspace, printBanner, seedDemoWorkspace } from './db/seed.js';

// All-in-one: API, workers and sweeper in one process, embedded database, demo workspace on first run.
let demo: DemoWorkspace | null = null;
await boot(
  { api: true, workers: true, allInOne: true },
  {
    beforeListen: async (deps) => {
      if (deps.config.seed) demo = await seedDemoWorkspace(deps);
    },
    afterListen: ({ config, url }) => printBanner({ config, url: url ?? config.publicUrl, demo }),
  },
);
