import type { Principal } from "./auth/principal.ts";

/** The Worker's bindings (see wrangler.toml). Vars arrive as strings. */
export interface Env {
  DB: D1Database;
  FILES: R2Bucket;
  KIOSK_GROUP: DurableObjectNamespace<import("./kiosk/kiosk-group.ts").KioskGroup>;
  JOB_DISPATCH: DurableObjectNamespace<import("./jobs/dispatch.ts").JobDispatch>;
  TOKEN_LIMITER?: RateLimit;
  MAX_UPLOAD_BYTES: string;
  MAX_REQUEST_BYTES: string;
  UPLOAD_PART_BYTES: string;
  UPLOAD_TTL_SECONDS: string;
  LEASE_SECONDS: string;
  MAX_ATTEMPTS: string;
  SIGNED_URL_SECONDS: string;
  /** HMAC key for signed download URLs (a secret; `wrangler secret put URL_SIGNING_KEY`). */
  URL_SIGNING_KEY?: string;
}

export interface Variables {
  principal: Principal;
}

export type AppEnv = { Bindings: Env; Variables: Variables };

/** Numeric settings from vars, parsed once per request where needed. */
export function settings(env: Env) {
  return {
    maxUploadBytes: Number(env.MAX_UPLOAD_BYTES),
    maxRequestBytes: Number(env.MAX_REQUEST_BYTES),
    partBytes: Number(env.UPLOAD_PART_BYTES),
    uploadTtlMs: Number(env.UPLOAD_TTL_SECONDS) * 1000,
    leaseMs: Number(env.LEASE_SECONDS) * 1000,
    maxAttempts: Number(env.MAX_ATTEMPTS),
    signedUrlMs: Number(env.SIGNED_URL_SECONDS) * 1000,
  };
}
