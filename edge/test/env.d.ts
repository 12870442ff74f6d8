type EdgeEnv = import("../src/env.ts").Env;

declare namespace Cloudflare {
  interface Env extends EdgeEnv {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}
