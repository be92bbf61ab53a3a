import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { viteConfigFile, webDistDir } from './paths.js';

/** Whether `dir` holds a built UI. */
export const webUiBuilt = (dir = webDistDir) => existsSync(path.join(dir, 'index.html'));

/**
 * Builds the staff UI with Vite's API into `outDir`. Vite is imported only here, so a process that
 * serves an already-built UI never loads it.
 */
export async function buildWebUi(outDir = webDistDir): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: viteConfigFile,
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}

/** All-in-one mode: build the UI on first start, so `npm start` alone gives a working UI. */
export async function ensureWebUi(logger: Logger, outDir = webDistDir): Promise<void> {
  if (webUiBuilt(outDir)) return;
  logger.info({ outDir }, 'building the staff UI (first start; `npm run ui:build` rebuilds it)');
  const started = Date.now();
  await buildWebUi(outDir);
  logger.info({ ms: Date.now() - started }, 'staff UI built');
}
