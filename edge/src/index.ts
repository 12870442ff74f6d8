import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import { runMaintenance } from "./maintenance.ts";

export { JobDispatch } from "./jobs/dispatch.ts";
export { KioskGroup } from "./kiosk/kiosk-group.ts";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(runMaintenance(env));
  },
} satisfies ExportedHandler<Env>;
