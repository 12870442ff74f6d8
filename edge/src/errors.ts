import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";

/**
 * An error with a stable code and a human message. Thrown anywhere; turned into the one JSON error
 * shape in `onError`, so handlers never build error responses themselves.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, "bad_request", message, details);
export const notFound = (what: string) => new ApiError(404, "not_found", `${what} not found`);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);

export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof ApiError) {
    const res = c.json(
      { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } },
      err.status,
    );
    for (const [k, v] of Object.entries(err.headers ?? {})) res.headers.set(k, v);
    return res;
  }
  if (err instanceof ZodError) {
    return c.json(
      { error: { code: "bad_request", message: "request failed validation", details: err.issues } },
      400,
    );
  }
  // Never leak internals (or secrets) to the client; log the message, not the request.
  console.error("internal error:", err instanceof Error ? err.stack ?? err.message : String(err));
  return c.json({ error: { code: "internal", message: "internal error" } }, 500);
}
