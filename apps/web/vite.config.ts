import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const backend = process.env.ECG_WEB_BACKEND_URL ?? 'http://127.0.0.1:8000';
const proxy = Object.fromEntries(['/api', '/storage', '/health'].map((p) => [p, { target: backend, changeOrigin: false }]));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  // The @ecg/* workspace packages are TypeScript source linked into
  // node_modules; pre-bundling would try to read them as published JS.
  optimizeDeps: { exclude: ['@ecg/contracts', '@ecg/captions'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy },
  preview: { proxy },
});
