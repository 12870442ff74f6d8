import { Hono, type Context } from "hono";
import type { AppEnv } from "../env.ts";

// PLACEHOLDER: replaced by the tus implementation.
export const tusOptions = (c: Context) => c.body(null, 204);
export const uploadRoutes = new Hono<AppEnv>();
