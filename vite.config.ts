import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { brokerPlugin } from './scripts/vite-broker-plugin.ts';

export default defineConfig({
  server: {
    port: 5173,
    // The broker's WebSocket server refuses every other upgrade on the same HTTP server,
    // so the hot-reload socket gets a port of its own.
    hmr: { port: 24678 },
  },
  preview: { port: 4173 },
  build: { target: 'es2022', sourcemap: true },
  plugins: [
    brokerPlugin(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
      },
      devOptions: { enabled: false },
    }),
  ],
});
