import { drizzle } from "drizzle-orm/d1";
import { tables } from "@cad-kiosk/schema";
import type { Env } from "../env.ts";

export const db = (env: Env) => drizzle(env.DB, { schema: tables });
export type Db = ReturnType<typeof db>;
export { tables };
