import { SCENE_DEFAULTS, type GroupChange, type Scene } from "@cad-kiosk/schema/kiosk";
import { randomId } from "../lib/ids.ts";

/** A model as the group stores it; the signed URL is added when it is sent (URLs expire, models do not). */
export interface StoredModel {
  id: string;
  sha256: string;
  size: number;
}

/** The group's committed state. */
export interface GroupState {
  groupId: string;
  version: number;
  /** The tag of the change that made `version`. */
  tag?: string;
  model: StoredModel | null;
  scene: Scene;
}

/** A switch waiting for its kiosks: they prefetch `model`; the group flips when all are ready or at `deadline`. */
export interface StoredSwitch {
  switchId: string;
  model: StoredModel;
  deadline: number;
}

/** A change as logged: like GroupChange, with a stored (unsigned) model. */
export type StoredChange = Omit<GroupChange, "model"> & { model?: StoredModel | null };

/** A kiosk's last known presence; online-ness comes from its live socket. */
export interface KioskRow {
  kioskId: string;
  name: string;
  since: number;
  lastSeen: number;
  appVersion: string | null;
  version: number;
  modelId: string | null;
  ready: boolean;
  lastError: string | null;
}

/** How many changes the log keeps; a kiosk further behind gets the whole state. */
export const CHANGE_LOG_SIZE = 200;

/**
 * The group's durable state in the object's own SQLite: one `meta` row for the state and one for a
 * pending switch, a short change log, and the kiosks seen. All reads and writes are synchronous (the
 * SQLite storage API), so a wake-up from hibernation loads everything in the constructor.
 */
export class GroupStore {
  #sql: SqlStorage;
  #state: GroupState;
  #pending: StoredSwitch | null;

  constructor(private readonly storage: DurableObjectStorage) {
    this.#sql = storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS changes (version INTEGER PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS kiosks (id TEXT PRIMARY KEY, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS revoked (id TEXT PRIMARY KEY, at INTEGER NOT NULL);`);
    this.#state = this.#meta<GroupState>("state") ?? { groupId: "", version: 0, model: null, scene: { ...SCENE_DEFAULTS } };
    this.#pending = this.#meta<StoredSwitch>("pending");
  }

  get state(): GroupState {
    return this.#state;
  }

  get pending(): StoredSwitch | null {
    return this.#pending;
  }

  /** The group id is learnt from the first request that names it (objects are addressed by name). */
  adopt(groupId: string): void {
    if (this.#state.groupId !== groupId) this.#putState({ ...this.#state, groupId });
  }

  /**
   * The next version, in memory only: the state as it is once `change` is committed (a model change ends
   * the pending switch). `persist` makes it durable; until then `changesSince` does not reach it, so a
   * kiosk saying hello in between gets the whole (staged) state.
   */
  stage(change: Omit<StoredChange, "version" | "tag">): StoredChange {
    const version = this.#state.version + 1;
    const entry: StoredChange = { version, tag: randomId(8), committedAt: Date.now(), ...change };
    this.#state = {
      ...this.#state,
      version,
      tag: entry.tag,
      model: change.model !== undefined ? change.model : this.#state.model,
      scene: change.scene ? { ...this.#state.scene, ...change.scene } : this.#state.scene,
    };
    if (change.model !== undefined) this.#pending = null;
    return entry;
  }

  /** Staged changes, logged, and the state and pending switch as they are now, in one transaction. */
  persist(entries: StoredChange[]): void {
    if (!entries.length) return;
    this.storage.transactionSync(() => {
      for (const entry of entries) {
        this.#sql.exec("INSERT INTO changes (version, body) VALUES (?, ?)", entry.version, JSON.stringify(entry));
      }
      this.#sql.exec("DELETE FROM changes WHERE version <= ?", entries.at(-1)!.version - CHANGE_LOG_SIZE);
      this.#putState(this.#state);
      this.setPending(this.#pending);
    });
  }

  /**
   * Changes after `version`, or null when the log no longer reaches back that far, or when `tag` (the
   * kiosk's tag of that version) is not the group's: the kiosk saw a change the group lost.
   */
  changesSince(version: number, tag?: string): StoredChange[] | null {
    if (version <= 0 || version > this.#state.version) return null;
    if (version === this.#state.version) return tag === undefined || tag === this.#state.tag ? [] : null;
    const rows = this.#sql
      .exec<{ version: number; body: string }>("SELECT version, body FROM changes WHERE version >= ? ORDER BY version", version)
      .toArray();
    if (rows.length !== this.#state.version - version + 1 || rows[0]?.version !== version) return null;
    const [base, ...after] = rows.map((r) => JSON.parse(r.body) as StoredChange);
    if (tag !== undefined && base!.tag !== tag) return null;
    return after;
  }

  setPending(pending: StoredSwitch | null): void {
    this.#pending = pending;
    if (pending) this.#setMeta("pending", pending);
    else this.#sql.exec("DELETE FROM meta WHERE key = 'pending'");
  }

  kiosk(kioskId: string): KioskRow | null {
    const row = this.#sql.exec<{ body: string }>("SELECT body FROM kiosks WHERE id = ?", kioskId).toArray()[0];
    return row ? (JSON.parse(row.body) as KioskRow) : null;
  }

  kiosks(): KioskRow[] {
    return this.#sql.exec<{ body: string }>("SELECT body FROM kiosks ORDER BY id").toArray().map((r) => JSON.parse(r.body) as KioskRow);
  }

  putKiosk(row: KioskRow): void {
    this.#sql.exec("INSERT OR REPLACE INTO kiosks (id, body) VALUES (?, ?)", row.kioskId, JSON.stringify(row));
  }

  forgetKiosk(kioskId: string): void {
    this.#sql.exec("DELETE FROM kiosks WHERE id = ?", kioskId);
  }

  /** Tokens revoked (D1 is the source of truth; this closes the window of an upgrade already on its way). */
  markRevoked(tokenId: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO revoked (id, at) VALUES (?, ?)", tokenId, Date.now());
  }

  isRevoked(tokenId: string): boolean {
    return this.#sql.exec("SELECT 1 FROM revoked WHERE id = ?", tokenId).toArray().length > 0;
  }

  #putState(state: GroupState): void {
    this.#state = state;
    this.#setMeta("state", state);
  }

  #meta<T>(key: string): T | null {
    const row = this.#sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : null;
  }

  #setMeta(key: string, value: unknown): void {
    this.#sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, JSON.stringify(value));
  }
}

