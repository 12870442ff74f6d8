import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

// PLACEHOLDER: replaced by signed kiosk downloads.
export const signedDownloadRoutes = new Hono<AppEnv>();
