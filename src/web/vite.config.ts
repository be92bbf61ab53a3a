import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { webDistDir, webSourceDir } from './paths.js';

/** The API the dev server forwards to (`npm run ui:dev` next to `npm start`). */
const api = process.env.CANDOR_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: webSourceDir,
  plugins: [react()],
  build: { outDir: webDistDir, emptyOutDir: true, sourcemap: true },
  server: {
    port: 5173,
    proxy: Object.fromEntries(['/v1', '/u', '/docs'].map((prefix) => [prefix, { target: api }])),
  },
});
