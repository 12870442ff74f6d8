import { describe, expect, it } from "vitest";
import { call, json, viewerToken } from "./helpers.ts";

describe("per-token rate limit", () => {
  it("answers 429 with Retry-After once a token passes its limit, without slowing other tokens", async () => {
    const busy = await viewerToken();
    const calm = await viewerToken();
    let limited: Response | undefined;
    for (let i = 0; i < 700 && !limited; i++) {
      const res = await call("/api/groups", busy);
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(200);
        await res.body?.cancel();
      }
    }
    expect(limited, "no 429 within 700 requests").toBeDefined();
    expect(limited!.headers.get("Retry-After")).toBeTruthy();
    expect((await json(limited!)).error.code).toBe("rate_limited");
    expect((await call("/api/groups", calm)).status).toBe(200);
  });
});
