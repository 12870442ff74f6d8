import type { MiddlewareHandler } from "hono";

/** Tags every response with a request id so a support call can find the log line. */
export function requestId(): MiddlewareHandler {
  return async (c, next) => {
    const id = c.req.header("cf-ray") ?? crypto.randomUUID();
    await next();
    c.res.headers.set("X-Request-Id", id);
  };
}
