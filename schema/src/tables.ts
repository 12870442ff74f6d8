/**
 * D1 tables, defined once with drizzle. Migrations in ../migrations are generated from this file by
 * `npm run generate -w schema` (drizzle-kit) and applied by `wrangler d1 migrations apply` and in tests.
 */
import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

/** Kiosk groups: a showroom or lobby whose kiosks show the same model in sync. */
export const kioskGroups = sqliteTable("kiosk_groups", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Model currently published to the group's kiosks. */
  publishedModelId: text("published_model_id"),
  createdAt: integer("created_at").notNull().default(now),
});

/**
 * API tokens of every principal. Only the SHA-256 of a token is kept; the token itself is shown once.
 * staff → role admin/uploader/viewer; agent → leases jobs; kiosk → reads one group's models.
 */
export const tokens = sqliteTable(
  "tokens",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: ["staff", "agent", "kiosk"] }).notNull(),
    role: text("role", { enum: ["admin", "uploader", "viewer"] }),
    groupId: text("group_id").references(() => kioskGroups.id),
    name: text("name").notNull(),
    /** Capabilities an agent token may lease (JSON array); null for other kinds. */
    capabilities: text("capabilities", { mode: "json" }).$type<string[]>(),
    hash: text("hash").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("tokens_hash_idx").on(t.hash)],
);

/**
 * An upload in progress (tus). Bytes go to R2 multipart; `hashState` keeps the running SHA-256 between
 * requests, `tailKey` holds bytes that do not yet fill a whole part.
 */
export const uploads = sqliteTable(
  "uploads",
  {
    id: text("id").primaryKey(),
    createdBy: text("created_by").notNull(),
    filename: text("filename").notNull(),
    length: integer("length").notNull(),
    offset: integer("offset").notNull().default(0),
    /** Sniffed from the first bytes: dxf, dxf-binary, pdf, png, jpeg. */
    fileKind: text("file_kind"),
    r2Key: text("r2_key").notNull(),
    multipartUploadId: text("multipart_upload_id"),
    /** JSON [{partNumber, etag}] of the parts written so far. */
    parts: text("parts", { mode: "json" }).$type<{ partNumber: number; etag: string }[]>().notNull().default(sql`'[]'`),
    hashState: blob("hash_state", { mode: "buffer" }),
    tailKey: text("tail_key"),
    tailLength: integer("tail_length").notNull().default(0),
    /** Hex SHA-256 the client declared (optional); a mismatch rejects the upload. */
    declaredSha256: text("declared_sha256"),
    /** Validated UploadOptions (JSON). */
    options: text("options", { mode: "json" }).notNull(),
    status: text("status", { enum: ["open", "complete", "aborted"] }).notNull().default("open"),
    /** A PATCH holds this lock while it streams, so two writers never interleave. */
    lockedUntil: integer("locked_until"),
    drawingId: text("drawing_id"),
    jobId: text("job_id"),
    /** True when the completed upload reused an earlier job (same content and options). */
    deduplicated: integer("deduplicated", { mode: "boolean" }),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("uploads_status_idx").on(t.status, t.expiresAt)],
);

/** A drawing whose bytes are complete in R2, addressed by content hash. */
export const drawings = sqliteTable(
  "drawings",
  {
    id: text("id").primaryKey(),
    sha256: text("sha256").notNull(),
    filename: text("filename").notNull(),
    size: integer("size").notNull(),
    fileKind: text("file_kind").notNull(),
    r2Key: text("r2_key").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("drawings_sha_idx").on(t.sha256)],
);

/** A conversion job that agents lease. `fence` grows on every lease so a stale holder is refused. */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    drawingId: text("drawing_id").notNull().references(() => drawings.id),
    /** SHA-256 of the drawing plus the canonical options: equal keys reuse the model (dedup). */
    dedupKey: text("dedup_key").notNull(),
    options: text("options", { mode: "json" }).notNull(),
    /** What an agent must be able to do: dxf, pdf-vector, pdf-raster. */
    capability: text("capability").notNull(),
    status: text("status", {
      enum: ["queued", "leased", "succeeded", "failed", "dead", "cancelled"],
    }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull(),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: integer("lease_expires_at"),
    fence: integer("fence").notNull().default(0),
    cancelRequested: integer("cancel_requested", { mode: "boolean" }).notNull().default(false),
    progressStage: text("progress_stage"),
    progressPercent: integer("progress_percent"),
    progressMessage: text("progress_message"),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    /** The final answer of complete/fail, replayed to a repeat with the same fence. */
    outcome: text("outcome", { mode: "json" }),
    modelId: text("model_id"),
    targetGroupId: text("target_group_id"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [
    index("jobs_claim_idx").on(t.status, t.capability, t.createdAt),
    index("jobs_dedup_idx").on(t.dedupKey),
  ],
);

/** Progress events of a job, oldest first. */
export const jobEvents = sqliteTable(
  "job_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: text("job_id").notNull().references(() => jobs.id),
    stage: text("stage").notNull(),
    percent: integer("percent").notNull(),
    message: text("message"),
    at: integer("at").notNull().default(now),
  },
  (t) => [index("job_events_job_idx").on(t.jobId, t.id)],
);

/** A converted model: GLB plus report and preview, content-addressed in R2. */
export const models = sqliteTable(
  "models",
  {
    id: text("id").primaryKey(),
    jobId: text("job_id").notNull(),
    drawingId: text("drawing_id").notNull(),
    dedupKey: text("dedup_key").notNull(),
    glbKey: text("glb_key").notNull(),
    glbSha256: text("glb_sha256").notNull(),
    glbSize: integer("glb_size").notNull(),
    reportKey: text("report_key"),
    previewKey: text("preview_key"),
    stats: text("stats", { mode: "json" }),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("models_dedup_idx").on(t.dedupKey)],
);

/** Artifacts an agent streamed for a job before completing it. */
export const artifacts = sqliteTable(
  "artifacts",
  {
    jobId: text("job_id").notNull(),
    kind: text("kind", { enum: ["glb", "report", "preview"] }).notNull(),
    r2Key: text("r2_key").notNull(),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("artifacts_job_kind_idx").on(t.jobId, t.kind)],
);

/**
 * A kiosk asking to be paired. The kiosk makes its own device token and sends only its SHA-256; it
 * shows `code`; staff enter the code and pick a group, which turns `tokenHash` into a kiosk token
 * (tokens.hash) — so no secret is ever stored or sent back. Unclaimed pairings expire.
 */
export const pairings = sqliteTable(
  "pairings",
  {
    id: text("id").primaryKey(),
    /** Short code the kiosk shows (upper-case, no look-alike characters). */
    code: text("code").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    /** Set when staff claimed it: the kiosk's group and its new token's id. */
    groupId: text("group_id"),
    tokenId: text("token_id"),
    claimedAt: integer("claimed_at"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("pairings_code_idx").on(t.code), uniqueIndex("pairings_token_hash_idx").on(t.tokenHash)],
);
