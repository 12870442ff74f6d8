import { beforeEach, describe, expect, it } from "vitest";
import { agentToken, call, json, viewerToken } from "./helpers.ts";
import { lease, makeJob, post, resetJobs } from "./jobs-fixtures.ts";

beforeEach(resetJobs);

describe("read side", () => {
  it("lists drawings and jobs newest first, with cursors", async () => {
    const viewer = await viewerToken();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await makeJob());
    const ids = made.map((m) => m.job.id).reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await json(await call(`/api/jobs?limit=2${cursor ? `&cursor=${cursor}` : ""}`, viewer));
      expect(page.jobs.length).toBeLessThanOrEqual(2);
      seen.push(...page.jobs.map((j: any) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(ids);

    const drawings = await json(await call("/api/drawings?limit=10", viewer));
    expect(drawings.drawings.map((d: any) => d.id)).toEqual(made.map((m) => m.drawingId).reverse());
    expect(drawings.nextCursor).toBeNull();
    expect(drawings.drawings[0]).not.toHaveProperty("r2Key");
    const one = await json(await call(`/api/drawings/${made[0]!.drawingId}`, viewer));
    expect(one).toMatchObject({ id: made[0]!.drawingId, fileKind: "dxf", sha256: made[0]!.sha256 });
  });

  it("filters jobs by status and shows status, progress, error and attempts", async () => {
    const viewer = await viewerToken();
    const agent = await agentToken();
    const { job: a } = await makeJob();
    await makeJob();
    const l = await lease(agent);
    await post(`/api/agent/jobs/${a.id}/fail`, agent, { fence: l.fence, permanent: true, code: "bad_drawing", message: "empty" });
    const failed = await json(await call("/api/jobs?status=failed", viewer));
    expect(failed.jobs.map((j: any) => j.id)).toEqual([a.id]);
    expect(failed.jobs[0]).toMatchObject({ status: "failed", attempts: 1, error: { code: "bad_drawing", message: "empty" } });
    expect((await json(await call("/api/jobs?status=queued", viewer))).jobs.length).toBe(1);
    expect((await call("/api/jobs?status=bogus", viewer)).status).toBe(400);
    expect((await call("/api/jobs?limit=0", viewer)).status).toBe(400);
    expect((await call("/api/jobs?cursor=%%%", viewer)).status).toBe(400);
  });

  it("404s with the one error shape", async () => {
    const viewer = await viewerToken();
    for (const path of ["/api/jobs/nope", "/api/drawings/nope", "/api/models/nope", "/api/models/nope/glb", "/api/jobs/nope/events"]) {
      const res = await call(path, viewer);
      expect(res.status, path).toBe(404);
      expect((await json(res)).error.code).toBe("not_found");
    }
  });
});
