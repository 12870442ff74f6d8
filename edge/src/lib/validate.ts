import type { Context } from "hono";
import type { z } from "zod";
import { ApiError, badRequest } from "../errors.ts";

/** Parse a JSON body with a zod type; bad JSON or a failed check is a 400 with the issues. */
export async function jsonBody<T extends z.ZodType>(c: Context, type: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw badRequest("body must be JSON");
  }
  const parsed = type.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(400, "bad_request", "request failed validation", parsed.error.issues);
  }
  return parsed.data;
}
