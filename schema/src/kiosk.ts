/**
 * Kiosk sync: the messages on a kiosk group's WebSocket and the kiosk HTTP API, defined once. The edge's
 * KioskGroup Durable Object speaks them; the kiosk player and staff console in web/ import them.
 *
 * Versions: every committed change of a group (a model flip, a scene edit) gets the next version and a
 * random `tag`. A kiosk says `hello` with the last version it applied and that change's tag, and gets the
 * changes it missed (`delta`) or, when too far behind or when its tag is not the group's (it saw a change
 * the group lost: the object reset before the change was on disk), the whole state (`state`).
 */
import { z } from "zod";
import { Id, Sha256Hex } from "./api.ts";

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);

/** What the group's kiosks show besides the model. Every field optional in a patch. */
export const Scene = z.object({
  /** Camera position and look-at target in model metres; null = the player frames the model. */
  camera: z.object({ position: Vec3, target: Vec3 }).nullable(),
  /** Floor (storey) index to show; null = all. */
  floor: z.number().int().min(-10).max(200).nullable(),
  /** Room name to highlight; null = none. */
  highlightRoom: z.string().max(200).nullable(),
  /** orbit: slow automatic turn; fixed: camera stays where the scene puts it. */
  mode: z.enum(["orbit", "fixed"]),
});
export type Scene = z.infer<typeof Scene>;
export const ScenePatch = Scene.partial().strict();
export type ScenePatch = z.infer<typeof ScenePatch>;
export const SCENE_DEFAULTS: Scene = { camera: null, floor: null, highlightRoom: null, mode: "orbit" };

/** A published model as kiosks see it: `url` is a signed, time-limited GLB download (relative). */
export const KioskModel = z.object({
  id: z.string(), sha256: Sha256Hex, size: z.number().int(), url: z.string(),
});
export type KioskModel = z.infer<typeof KioskModel>;

/** The whole state of a group at `version`. */
export const GroupSnapshot = z.object({
  groupId: z.string(),
  version: z.number().int(),
  /** The tag of the change that made `version` (absent before the first change). */
  tag: z.string().optional(),
  model: KioskModel.nullable(),
  /** Kept for older readers: the same as model?.id. */
  publishedModelId: z.string().nullable(),
  scene: Scene,
});
export type GroupSnapshot = z.infer<typeof GroupSnapshot>;

/** One committed change. A model change carries `at`: the server time (ms) all kiosks flip at. */
export const GroupChange = z.object({
  version: z.number().int(),
  /** Random per change: with the version, names the change (a version the group lost is reused with another tag). */
  tag: z.string().optional(),
  /** Server time (ms) the change was committed: a kiosk's lag is its receipt time − this − its clock offset. */
  committedAt: z.number().optional(),
  model: KioskModel.nullable().optional(),
  at: z.number().optional(),
  scene: ScenePatch.optional(),
});
export type GroupChange = z.infer<typeof GroupChange>;

/** A kiosk's presence, as staff see it. */
export const KioskPresence = z.object({
  kioskId: z.string(),
  name: z.string(),
  online: z.boolean(),
  /** Online since (ms), or last seen when offline. */
  since: z.number(),
  /** Last ping or message (ms). */
  lastSeen: z.number(),
  appVersion: z.string().nullable(),
  /** Version of the group state the kiosk applied. */
  version: z.number().int(),
  modelId: z.string().nullable(),
  ready: z.boolean(),
  lastError: z.string().nullable(),
  /** Kiosk clock minus server clock (ms), as the kiosk measured it. */
  clockOffsetMs: z.number().nullable(),
  rttMs: z.number().nullable(),
});
export type KioskPresence = z.infer<typeof KioskPresence>;

/** A synchronised switch in progress: kiosks prefetch `model` and report ready before `deadline`. */
export const PendingSwitch = z.object({ switchId: z.string(), model: KioskModel, deadline: z.number() });
export type PendingSwitch = z.infer<typeof PendingSwitch>;

/**
 * Kiosk (or staff console) → group. Text "ping" is answered "pong" without waking the object. Kiosks say
 * hello, status, ready and time; staff consoles may send `scene` (and time).
 */
export const ClientMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"), version: z.number().int().min(0), tag: z.string().max(32).optional(),
    appVersion: z.string().max(64).optional(),
  }),
  /** What the kiosk shows now (sent after every load or failure). */
  z.object({
    type: z.literal("status"), version: z.number().int().min(0), modelId: z.string().max(64).nullable(),
    ready: z.boolean(), error: z.string().max(1000).nullable().optional(),
    clockOffsetMs: z.number().optional(), rttMs: z.number().min(0).optional(),
  }),
  /** The switch's model is downloaded and parsed; the kiosk can flip at once. */
  z.object({ type: z.literal("ready"), switchId: z.string().max(64) }),
  /** Clock probe: `clientTime` is echoed with the server's time. */
  z.object({ type: z.literal("time"), clientTime: z.number() }),
  /**
   * Staff control (uploader or admin, checked once when the socket connected): change the scene. Committed
   * as the next version and broadcast as a `delta` to every kiosk and console, the sender included; a
   * refusal is an `error` carrying `ref`.
   */
  z.object({ type: z.literal("scene"), patch: ScenePatch, ref: z.string().max(64).optional() }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** Group → kiosk (and staff console). */
export type ServerMessage =
  | { type: "state"; state: GroupSnapshot; pending: PendingSwitch | null }
  | { type: "delta"; changes: GroupChange[]; version: number; pending: PendingSwitch | null }
  | { type: "prefetch"; switch: PendingSwitch }
  | { type: "time"; clientTime: number; serverTime: number }
  | { type: "presence"; kiosks: KioskPresence[] }
  | { type: "progress"; event: unknown }
  /** `ref`: the refused control message's `ref`, when it had one. */
  | { type: "error"; code: string; message: string; ref?: string };

// ---- HTTP ----
export const PublishRequest = z.object({
  modelId: Id,
  /** How long kiosks get to prefetch before the group flips anyway (ms, default 15 000). */
  deadlineMs: z.number().int().min(0).max(300_000).optional(),
}).strict();
export const PairingStart = z.object({
  /** SHA-256 (hex) of the device token the kiosk made for itself; the token never leaves the kiosk. */
  tokenHash: Sha256Hex,
}).strict();
export const PairingStarted = z.object({ id: z.string(), code: z.string(), expiresAt: z.number() });
export const PairingStatus = z.object({
  status: z.enum(["pending", "paired", "expired"]), groupId: z.string().nullable(), expiresAt: z.number(),
});
export const PairingClaim = z.object({
  code: z.string().min(4).max(16), groupId: Id, name: z.string().min(1).max(100),
}).strict();
