/**
 * The uploads table: every state change is a compare-and-set UPDATE, so concurrent requests can never
 * interleave. A PATCH first takes the row's lock (`locked_until`, also used as the lock's token), and
 * every later write names that token and the offset it started from; a writer that lost its lock (it
 * expired and another took it) finds its writes refused instead of corrupting the upload.
 */
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { ApiError } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";

export type UploadRow = typeof tables.uploads.$inferSelect;
export type UploadInsert = typeof tables.uploads.$inferInsert;
export type UploadPart = { partNumber: number; etag: string };

const u = tables.uploads;

/** How long a PATCH may hold an upload without showing progress. */
export const LOCK_TTL_MS = 120_000;

export const lockLost = () =>
  new ApiError(409, "upload_lock_lost", "another request took over this upload; ask for the offset (HEAD) and resume");

/** A fresh lock token: a deadline, jittered so two writers never hold the same value. */
function lockToken(previous?: number): number {
  let t = Date.now() + LOCK_TTL_MS + Math.floor(Math.random() * 1000);
  if (t === previous) t += 1;
  return t;
}

export async function getUpload(env: Env, id: string): Promise<UploadRow | undefined> {
  return db(env).query.uploads.findFirst({ where: eq(u.id, id) });
}

/** Insert a new upload, already locked by its creator when bytes come with the creation request. */
export async function insertUpload(env: Env, row: Omit<UploadInsert, "lockedUntil">, locked: boolean) {
  const token = locked ? lockToken() : null;
  const [created] = await db(env).insert(u).values({ ...row, lockedUntil: token }).returning();
  return { row: created!, lock: token === null ? null : new UploadLock(env, created!.id, token) };
}

/**
 * Take the lock of an open, unexpired upload whose offset is `offset`. Null when any of that is not
 * so; the caller re-reads the row to say which.
 */
export async function acquireLock(env: Env, id: string, offset: number) {
  const now = Date.now();
  const token = lockToken();
  const [row] = await db(env)
    .update(u)
    .set({ lockedUntil: token })
    .where(and(eq(u.id, id), eq(u.status, "open"), eq(u.offset, offset), sql`${u.expiresAt} > ${now}`,
      or(isNull(u.lockedUntil), lt(u.lockedUntil, now))))
    .returning();
  return row ? { row, lock: new UploadLock(env, id, token) } : null;
}

/** Fields a writer may change under its lock. */
export type Progress = Partial<Pick<UploadRow,
  "offset" | "parts" | "hashState" | "tailKey" | "tailLength" | "fileKind" | "multipartUploadId" | "status" |
  "drawingId" | "jobId" | "deduplicated" | "expiresAt">>;

/** The held lock of one upload; every write through it is a compare-and-set on the token. */
export class UploadLock {
  /** Writes through one lock run one after another (each needs the token the last one set). */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly env: Env, readonly id: string, private token: number) {}

  /** True when half the lock's time has passed: renew before streaming on. */
  get dueForRenewal(): boolean {
    return Date.now() > this.token - LOCK_TTL_MS / 2;
  }

  /**
   * Write `change` if the lock is still ours (and the offset is still `fromOffset`, when given);
   * `release` ends the lock, otherwise it is renewed. Throws `lockLost` if the row moved on.
   */
  write(change: Progress, opts: { fromOffset?: number; release?: boolean } = {}): Promise<UploadRow> {
    const run = this.#queue.then(() => this.#write(change, opts));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #write(change: Progress, opts: { fromOffset?: number; release?: boolean }): Promise<UploadRow> {
    const next = opts.release ? null : lockToken(this.token);
    const conds = [eq(u.id, this.id), eq(u.lockedUntil, this.token)];
    if (opts.fromOffset !== undefined) conds.push(eq(u.offset, opts.fromOffset));
    const [row] = await db(this.env).update(u).set({ ...change, lockedUntil: next }).where(and(...conds)).returning();
    if (!row) throw lockLost();
    if (next !== null) this.token = next;
    return row;
  }

  renew(): Promise<UploadRow> {
    return this.write({});
  }

  /** Give the lock up without changing anything; quiet if it was already lost. */
  async release(): Promise<void> {
    await this.#queue;
    await db(this.env).update(u).set({ lockedUntil: null }).where(and(eq(u.id, this.id), eq(u.lockedUntil, this.token)));
  }
}

/** Mark an upload aborted (kept, so later requests get 410 and GET can say why). */
export async function markAborted(env: Env, id: string): Promise<void> {
  await db(env).update(u)
    .set({ status: "aborted", lockedUntil: null, hashState: null, tailKey: null, tailLength: 0, parts: [] })
    .where(eq(u.id, id));
}

export async function deleteUpload(env: Env, id: string): Promise<void> {
  await db(env).delete(u).where(eq(u.id, id));
}

/** Open uploads past their expiry and not being written right now. */
export async function findExpired(env: Env, now: number, limit: number): Promise<UploadRow[]> {
  return db(env).query.uploads.findMany({
    where: and(eq(u.status, "open"), lt(u.expiresAt, now), or(isNull(u.lockedUntil), lt(u.lockedUntil, now))),
    limit,
  });
}
