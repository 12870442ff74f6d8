import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

// PLACEHOLDER: replaced by drawings/jobs/models read side.
export const readRoutes = new Hono<AppEnv>();
