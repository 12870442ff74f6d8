import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

// PLACEHOLDER: replaced by the agent protocol.
export const agentRoutes = new Hono<AppEnv>();
