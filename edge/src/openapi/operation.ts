import type { z } from "zod";

/** One documented route. Each feature lists its own next to its router. */
export interface Operation {
  method: "get" | "post" | "put" | "patch" | "delete" | "head" | "options";
  /** OpenAPI path, e.g. /api/jobs/{id}. */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it, in words, e.g. "staff:uploader", "agent", "kiosk (own group)", "public". */
  auth: string;
  body?: z.ZodType;
  /** Non-JSON request body, e.g. application/offset+octet-stream. */
  rawBody?: string;
  response?: z.ZodType;
  status?: number;
}
