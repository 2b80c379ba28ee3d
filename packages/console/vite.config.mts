import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompiledValidators } from './vite/precompiled-validators.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

// The gateway serves the built files at /console (services/gateway/src/routes/console.ts).
export default defineConfig({
  base: '/console/',
  root: HERE,
  plugins: [precompiledValidators(), react()],
  resolve: {
    // Core is pure TypeScript: bundle its sources, so the console validates as the API does.
    alias: [
      { find: /^@weft\/contract$/, replacement: resolve(HERE, '../contract/src/index.ts') },
      { find: /^@weft\/core$/, replacement: resolve(HERE, '../core/src/index.ts') },
      { find: /^@weft\/client$/, replacement: resolve(HERE, '../client/src/index.ts') },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // React, React Flow and the precompiled validators make one chunk, served once and gzipped.
    chunkSizeWarningLimit: 1500,
  },
});
