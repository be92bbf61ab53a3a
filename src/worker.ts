import { boot } from './boot.js';

// Scaled mode: queue workers and the sweeper, no HTTP.
await boot({ api: false, workers: true, allInOne: false });
