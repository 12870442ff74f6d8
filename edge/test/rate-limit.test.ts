import { describe, expect, it } from "vitest";
import { call, json, viewerToken } from "./helpers.ts";

describe("per-token rate limit", () => {
  it("answers 429 with Retry-After once a token passes its limit, without slowing other tokens", async () => {
    const busy = await viewerToken();
    const calm = await viewerToken();
    let limited: Response | undefined;
    // In batches, so 700 requests fit in the limiter's 60 s window even on a busy machine.
    for (let sent = 0; sent < 700 && !limited; sent += 25) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => call("/api/groups", busy)));
      for (const res of batch) {
        if (res.status === 429 && !limited) limited = res;
        else {
          expect([200, 429]).toContain(res.status);
          await res.body?.cancel();
        }
      }
    }
    expect(limited, "no 429 within 700 requests").toBeDefined();
    expect(limited!.headers.get("Retry-After")).toBeTruthy();
    expect((await json(limited!)).error.code).toBe("rate_limited");
    expect((await call("/api/groups", calm)).status).toBe(200);
  });
});
