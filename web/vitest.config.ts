import { defineConfig } from "vitest/config";

/**
 * Browser end-to-end tests: a real `wrangler dev` (the Worker, D1, R2 and Durable Objects in workerd,
 * serving web/dist), Debian's Chromium through playwright-core, the real converter making the GLBs.
 * One file, run in order: each step builds on the one before.
 */
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
