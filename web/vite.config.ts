// Built by `make build` into web/dist, which the sextant binary serves (hashed assets, cached a year).
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        // The UI library apart: it changes less often than our code, so browsers keep it longer.
        manualChunks: { 'element-plus': ['element-plus', '@element-plus/icons-vue'] },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
