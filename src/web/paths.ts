import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The SPA's sources (Vite's root). */
export const webSourceDir = path.join(repoRoot, 'src/web/app');
/** Where `npm run ui:build` (and `npm start`, when it is missing) puts the built UI; gitignored. */
export const webDistDir = path.join(repoRoot, 'dist/web');
export const viteConfigFile = path.join(repoRoot, 'src/web/vite.config.ts');
