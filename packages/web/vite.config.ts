import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress.ts';
import { sizeReport } from './build/size-report.ts';

/** `npm run build -w @shipyard/web` → dist/, which the server serves at `/`. `npm run dev -w @shipyard/web`
 * serves the sources with the API of a server on 127.0.0.1:8080 (`npm start`). */
export default defineConfig({
  plugins: [react(), sizeReport(), precompress()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
      '/k8s': { target: 'http://127.0.0.1:8080' },
    },
  },
});
