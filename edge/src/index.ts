import { createApp } from "./app.ts";

export { JobDispatch } from "./jobs/dispatch.ts";
export { KioskGroup } from "./kiosk/kiosk-group.ts";

const app = createApp();
export default app;
