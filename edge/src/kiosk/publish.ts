import { eq } from "drizzle-orm";
import { notFound } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { kioskGroup, type PublishOptions } from "./kiosk-group.ts";

/**
 * Publish a model to a kiosk group: D1 first (the source of truth, and what lets the group's kiosks
 * read the model), then the group's object, which runs the synchronised switch.
 */
export async function publishModel(env: Env, groupId: string, modelId: string, options: PublishOptions = {}) {
  const d = db(env);
  const model = await d.query.models.findFirst({ where: eq(tables.models.id, modelId) });
  if (!model) throw notFound("model");
  const [group] = await d
    .update(tables.kioskGroups)
    .set({ publishedModelId: modelId })
    .where(eq(tables.kioskGroups.id, groupId))
    .returning({ id: tables.kioskGroups.id });
  if (!group) throw notFound("kiosk group");
  return kioskGroup(env, groupId).publish(groupId, { id: model.id, sha256: model.glbSha256, size: model.glbSize }, options);
}

/**
 * A token was revoked: its sockets close at once. A kiosk's live only in its own group; a staff member's
 * may watch or control any group, so every group is told (each also refuses the token from then on).
 * Never fails the caller.
 */
export async function disconnectRevoked(env: Env, token: { id: string; kind: string; groupId: string | null }) {
  let groups: string[];
  if (token.kind === "kiosk" && token.groupId) groups = [token.groupId];
  else if (token.kind === "staff") groups = (await db(env).select({ id: tables.kioskGroups.id }).from(tables.kioskGroups)).map((g) => g.id);
  else return;
  await Promise.all(groups.map(async (groupId) => {
    try {
      await kioskGroup(env, groupId).revoke(token.id);
    } catch (err) {
      console.error(`disconnecting revoked token ${token.id} from ${groupId} failed:`, err instanceof Error ? err.message : String(err));
    }
  }));
}
