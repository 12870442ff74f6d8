import type { MiddlewareHandler } from "hono";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../env.ts";

/**
 * Per-token request limit through the Workers Rate Limiting binding, keyed by token id (never by the
 * secret). Runs after `authenticate`. Without a binding (e.g. some test setups) it lets requests through.
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limiter = c.env.TOKEN_LIMITER;
    if (limiter) {
      const { success } = await limiter.limit({ key: c.get("principal").tokenId });
      if (!success) {
        throw new ApiError(429, "rate_limited", "too many requests for this token; slow down", undefined, {
          "Retry-After": "60",
        });
      }
    }
    await next();
  };
}
