/**
 * zod types of every request, response and job message. The edge validates with them, the agent
 * parses with them, and the OpenAPI document is generated from them.
 */
import { z } from "zod";

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** One error shape everywhere: a stable machine code and a human message. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const Category = z.enum([
  "wall", "door", "window", "column", "stair", "room", "annotation", "other", "ignore",
]);
export const Units = z.enum(["mm", "cm", "m", "in", "ft"]);

/** Conversion options that travel from the upload to the converter. */
export const UploadOptions = z
  .object({
    /** Kiosk group to publish the model to when the job succeeds. */
    targetGroup: Id.optional(),
    /** Override the drawing's $INSUNITS. */
    units: Units.optional(),
    /** Wall height in metres. */
    wallHeight: z.number().min(0.5).max(50).optional(),
    /** Layer name (or glob) → category. */
    layerMapping: z.record(z.string().min(1).max(255), Category).optional()
      .refine((m) => !m || Object.keys(m).length <= 500, "at most 500 layer mappings"),
    /** Thickness (m) given to walls drawn as single lines. */
    singleLineWallThickness: z.number().min(0.03).max(0.8).optional(),
    /** PDF pages to convert, 1-based: "1,3-4" or [1, 3]; all when absent. */
    pages: z.union([
      z.string().regex(/^\s*\d+\s*(-\s*\d+\s*)?(,\s*\d+\s*(-\s*\d+\s*)?)*$/).max(200),
      z.array(z.number().int().min(1)).min(1).max(500),
    ]).optional(),
    /** Drawing scale of a PDF or scan ("1:50", or the denominator); detected when absent. */
    scale: z.union([z.string().min(1).max(40), z.number().positive().max(100_000)]).optional(),
    /** Scans: image pixels per metre of the building; detected when absent. */
    pixelsPerMetre: z.number().positive().max(1_000_000).optional(),
  })
  .strict();
export type UploadOptions = z.infer<typeof UploadOptions>;

export const FileKind = z.enum(["dxf", "dxf-binary", "pdf", "png", "jpeg"]);
export type FileKind = z.infer<typeof FileKind>;
export const Capability = z.enum(["dxf", "pdf-vector", "pdf-raster"]);
export type Capability = z.infer<typeof Capability>;

// ---- tokens and groups (admin) ----
export const Role = z.enum(["admin", "uploader", "viewer"]);
export type Role = z.infer<typeof Role>;
export const TokenCreate = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("staff"), name: z.string().min(1).max(100), role: Role }).strict(),
  z.object({
    kind: z.literal("agent"),
    name: z.string().min(1).max(100),
    capabilities: z.array(Capability).min(1).default(["dxf", "pdf-vector"]),
  }).strict(),
  z.object({ kind: z.literal("kiosk"), name: z.string().min(1).max(100), groupId: Id }).strict(),
]);
export type TokenCreate = z.infer<typeof TokenCreate>;
export const TokenInfo = z.object({
  id: z.string(),
  kind: z.enum(["staff", "agent", "kiosk"]),
  name: z.string(),
  role: Role.nullable(),
  groupId: z.string().nullable(),
  capabilities: z.array(Capability).nullable(),
  createdAt: z.number(),
  lastUsedAt: z.number().nullable(),
  revokedAt: z.number().nullable(),
});
/** Returned once, on creation: the only time the secret is visible. */
export const TokenCreated = TokenInfo.extend({ token: z.string() });
export const GroupCreate = z.object({ id: Id, name: z.string().min(1).max(100) }).strict();
export const Group = z.object({
  id: z.string(), name: z.string(), publishedModelId: z.string().nullable(), createdAt: z.number(),
});

// ---- drawings, jobs, models (read side) ----
export const JobStatus = z.enum(["queued", "leased", "succeeded", "failed", "dead", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatus>;
export const Drawing = z.object({
  id: z.string(), sha256: z.string(), filename: z.string(), size: z.number(), fileKind: FileKind,
  createdAt: z.number(),
});
export const Job = z.object({
  id: z.string(),
  drawingId: z.string(),
  status: JobStatus,
  capability: Capability,
  options: UploadOptions,
  attempts: z.number(),
  maxAttempts: z.number(),
  progress: z.object({
    stage: z.string().nullable(), percent: z.number().nullable(), message: z.string().nullable(),
  }),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  modelId: z.string().nullable(),
  cancelRequested: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Job = z.infer<typeof Job>;
export const Model = z.object({
  id: z.string(), jobId: z.string(), drawingId: z.string(), glbSha256: z.string(), glbSize: z.number(),
  hasReport: z.boolean(), hasPreview: z.boolean(), stats: z.unknown().nullable(), createdAt: z.number(),
});
export const SignedUrl = z.object({ url: z.string(), expiresAt: z.number() });
/** Answer of a completed upload: the drawing, and the job (new, or the earlier one on dedup). */
export const UploadResult = z.object({
  drawing: Drawing, job: Job, deduplicated: z.boolean(),
});

// ---- agent protocol ----
export const ClaimRequest = z.object({
  capabilities: z.array(Capability).min(1),
  /** Long-poll: wait up to this many seconds for a job (0 = answer at once). */
  waitSeconds: z.number().min(0).max(25).default(25),
}).strict();
export const Lease = z.object({
  job: Job,
  fence: z.number().int(),
  leaseExpiresAt: z.number(),
  drawing: Drawing,
  /** Where the agent fetches the drawing bytes (authenticated with its agent token). */
  drawingUrl: z.string(),
});
export type Lease = z.infer<typeof Lease>;
export const Fenced = z.object({ fence: z.number().int().positive() });
export const HeartbeatRequest = Fenced.strict();
export const HeartbeatResponse = z.object({ cancel: z.boolean(), leaseExpiresAt: z.number() });
export const ProgressEvent = Fenced.extend({
  stage: z.string().min(1).max(64),
  percent: z.number().min(0).max(100),
  message: z.string().max(1000).optional(),
}).strict();
export const CompleteRequest = Fenced.extend({
  /** Converter statistics and warnings, kept with the model. */
  stats: z.record(z.string(), z.unknown()).optional(),
}).strict();
export const FailRequest = Fenced.extend({
  /** True for a bad drawing: fail at once, no retry. */
  permanent: z.boolean(),
  code: z.string().min(1).max(64),
  message: z.string().max(4000),
}).strict();
export const JobOutcome = z.object({ job: Job });

// ---- artifacts and events ----
export const ArtifactKind = z.enum(["glb", "report", "preview"]);
export type ArtifactKind = z.infer<typeof ArtifactKind>;
/** Answer of an artifact upload: where the bytes landed (content-addressed). */
export const Artifact = z.object({ kind: ArtifactKind, sha256: Sha256Hex, size: z.number().int() });
export type Artifact = z.infer<typeof Artifact>;
/** One stored progress event of a job. */
export const JobEvent = z.object({
  id: z.number().int(), jobId: z.string(), stage: z.string(), percent: z.number(),
  message: z.string().nullable(), at: z.number(),
});
export type JobEvent = z.infer<typeof JobEvent>;
