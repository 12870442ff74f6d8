import { resolve } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * Two pages, one build (web/dist, served by the Worker as static assets): the staff console at / and
 * the kiosk player at /kiosk. `npm run dev` in the root serves the built files from the Worker's own
 * origin, so the API needs no CORS and the same URLs work locally and deployed.
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: { console: resolve(import.meta.dirname, "index.html"), kiosk: resolve(import.meta.dirname, "kiosk.html") },
    },
  },
  server: { proxy: { "/api": { target: "http://127.0.0.1:8787", ws: true }, "/dl": "http://127.0.0.1:8787" } },
});
