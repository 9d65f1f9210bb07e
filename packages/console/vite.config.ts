import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built by scripts/build-console.mjs into dist/, then copied into the cloud's dist/console/, which the cloud
// serves at /_forte/console/ (hashed assets under assets/).
export default defineConfig({
  base: '/_forte/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The cloud's Content-Security-Policy allows no inline script: the module preload helper stays in the bundle.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
});
