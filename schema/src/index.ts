export * from "./api.ts";
export * as tables from "./tables.ts";
export * from "./kiosk.ts";
