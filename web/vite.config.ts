import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by Vigil itself (src/web/pages.ts): assets under /assets/, the page for every route.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // The size is reported in docs/console.md; the warning adds nothing here.
    chunkSizeWarningLimit: 1024,
  },
});
