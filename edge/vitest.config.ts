import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.resolve(import.meta.dirname, "..");

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "schema/migrations")),
          URL_SIGNING_KEY: "test-signing-key-not-a-secret",
          // Small parts keep chunked-upload tests fast; production uses 10 MiB (wrangler.toml).
          UPLOAD_PART_BYTES: String(5 * 1024 * 1024),
          LEASE_SECONDS: "60",
        },
      },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/apply-migrations.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
