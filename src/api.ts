import { boot } from './boot.js';

// Scaled mode: HTTP only. Workers run in `npm run start:worker` replicas.
await boot({ api: true, workers: false, allInOne: false });
