import { boot } from './boot.js';
import { type DemoWorkspace, printBanner, seedDemoWorkspace } from './db/seed.js';
import { ensureWebUi } from './web/build.js';

// All-in-one: API, workers and sweeper in one process, embedded database, demo workspace on first run.
let demo: DemoWorkspace | null = null;
await boot(
  { api: true, workers: true, allInOne: true },
  {
    beforeListen: async (deps) => {
      if (deps.config.seed) demo = await seedDemoWorkspace(deps);
      // The UI is served from dist/web; the first all-in-one start builds it (a few seconds).
      await ensureWebUi(deps.logger);
    },
    afterListen: ({ config, url }) => printBanner({ config, url: url ?? config.publicUrl, demo }),
  },
);
