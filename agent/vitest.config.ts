import { defineConfig } from "vitest/config";

// The agent's tests start real processes (wrangler dev, redis-server, the converter, the agent itself),
// so files run one at a time and get generous time-outs.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
  },
});
