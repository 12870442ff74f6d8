import { Hono } from "hono";
import { and, asc, eq, gt } from "drizzle-orm";
import { JobStatus } from "@cad-kiosk/schema";
import { requireStaff } from "../auth/middleware.ts";
import { badRequest, notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import type { AppEnv } from "../env.ts";
import { benchRoutes } from "./bench-routes.ts";
import { jobWatch } from "./dispatch.ts";
import { sweepExpired } from "./lease.ts";
import { modelRoutes } from "./model-routes.ts";
import { pageClause, pageOf, pageQuery } from "./pagination.ts";
import { presentDrawing, presentJob } from "./present.ts";
import { cancelJob, retryJob } from "./staff-actions.ts";

const viewer = requireStaff("viewer");
const uploader = requireStaff("uploader");

/** Drawings and jobs for staff: lists, details, events, the watch socket, cancel and retry. */
const jobReadRoutes = new Hono<AppEnv>()
  .get("/drawings", viewer, async (c) => {
    const page = pageQuery(c.req.query("limit"), c.req.query("cursor"));
    const { where, orderBy } = pageClause(tables.drawings, page);
    const rows = await db(c.env).select().from(tables.drawings).where(where).orderBy(...orderBy).limit(page.limit + 1);
    const { items, nextCursor } = pageOf(rows, page.limit);
    return c.json({ drawings: items.map(presentDrawing), nextCursor });
  })
  .get("/drawings/:id", viewer, async (c) => {
    const row = await db(c.env).query.drawings.findFirst({ where: eq(tables.drawings.id, c.req.param("id")) });
    if (!row) throw notFound("drawing");
    return c.json(presentDrawing(row));
  })
  .get("/jobs", viewer, async (c) => {
    const page = pageQuery(c.req.query("limit"), c.req.query("cursor"));
    const statusRaw = c.req.query("status");
    const status = statusRaw ? JobStatus.safeParse(statusRaw) : null;
    if (status && !status.success) throw badRequest(`status must be one of ${JobStatus.options.join(", ")}`);
    await sweepExpired(c.env);
    const { where, orderBy } = pageClause(tables.jobs, page);
    const rows = await db(c.env)
      .select()
      .from(tables.jobs)
      .where(and(where, status ? eq(tables.jobs.status, status.data) : undefined))
      .orderBy(...orderBy)
      .limit(page.limit + 1);
    const { items, nextCursor } = pageOf(rows, page.limit);
    return c.json({ jobs: items.map(presentJob), nextCursor });
  })
  .get("/jobs/:id", viewer, async (c) => {
    await sweepExpired(c.env);
    const row = await db(c.env).query.jobs.findFirst({ where: eq(tables.jobs.id, c.req.param("id")) });
    if (!row) throw notFound("job");
    return c.json(presentJob(row));
  })
  .get("/jobs/:id/events", viewer, async (c) => {
    const jobId = c.req.param("id");
    const d = db(c.env);
    const job = await d.query.jobs.findFirst({ where: eq(tables.jobs.id, jobId), columns: { id: true } });
    if (!job) throw notFound("job");
    // ?after=<event id> returns only newer events (a watcher catching up after a reconnect).
    const after = Number(c.req.query("after") ?? 0);
    if (!Number.isInteger(after) || after < 0) throw badRequest("after must be an event id");
    const events = await d
      .select()
      .from(tables.jobEvents)
      .where(and(eq(tables.jobEvents.jobId, jobId), gt(tables.jobEvents.id, after)))
      .orderBy(asc(tables.jobEvents.id))
      .limit(1000);
    return c.json({ events });
  })
  // Watch a job live (WebSocket): first {type:"job", job}, then {type:"progress", event} and
  // {type:"status", job} as they happen; "ping" → "pong".
  .get("/jobs/:id/socket", viewer, async (c) => {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      return c.json({ error: { code: "upgrade_required", message: "WebSocket expected" } }, 426);
    }
    const row = await db(c.env).query.jobs.findFirst({ where: eq(tables.jobs.id, c.req.param("id")) });
    if (!row) throw notFound("job");
    const headers = new Headers(c.req.raw.headers);
    headers.set("X-Job-Snapshot", JSON.stringify(presentJob(row)));
    return jobWatch(c.env, row.id).fetch(new Request(c.req.raw, { headers }));
  })
  .post("/jobs/:id/cancel", uploader, async (c) => c.json({ job: presentJob(await cancelJob(c.env, c.req.param("id"))) }))
  .post("/jobs/:id/retry", uploader, async (c) => c.json({ job: presentJob(await retryJob(c.env, c.req.param("id"))) }));

/** Everything readable under /api that is not a feature of its own. Guards are per route. */
export const readRoutes = new Hono<AppEnv>()
  .route("/", jobReadRoutes)
  .route("/", modelRoutes)
  .route("/", benchRoutes);
