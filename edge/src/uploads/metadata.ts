/**
 * What a client says about an upload in `Upload-Metadata`: `filename` (or Uppy's `name`), an optional
 * `sha256` (hex) of the whole file, and `options` (JSON of UploadOptions). Other keys (`filetype`, …)
 * are ignored. Validated here, once, when the upload is created.
 */
import { eq } from "drizzle-orm";
import { Sha256Hex, UploadOptions } from "@cad-kiosk/schema";
import { ApiError, badRequest } from "../errors.ts";
import { db, tables } from "../lib/db.ts";
import type { Env } from "../env.ts";
import { parseMetadata } from "./tus.ts";

export interface UploadDeclaration {
  filename: string;
  declaredSha256: string | null;
  options: UploadOptions;
}

export async function readDeclaration(env: Env, header: string | undefined): Promise<UploadDeclaration> {
  const meta = parseMetadata(header);
  const filename = (meta.get("filename") ?? meta.get("name") ?? "").trim();
  if (!filename) throw badRequest("Upload-Metadata must carry filename");
  // eslint-disable-next-line no-control-regex
  if (filename.length > 255 || /[\x00-\x1f\x7f]/.test(filename)) {
    throw badRequest("filename must be at most 255 characters, without control characters");
  }

  const sha = meta.get("sha256")?.trim().toLowerCase();
  if (sha !== undefined && sha !== "" && !Sha256Hex.safeParse(sha).success) {
    throw badRequest("metadata sha256 must be 64 hex digits");
  }

  let options: UploadOptions = {};
  const rawOptions = meta.get("options");
  if (rawOptions) {
    let json: unknown;
    try {
      json = JSON.parse(rawOptions);
    } catch {
      throw badRequest("metadata options must be JSON");
    }
    const parsed = UploadOptions.safeParse(json);
    if (!parsed.success) throw new ApiError(400, "bad_request", "metadata options failed validation", parsed.error.issues);
    options = parsed.data;
  }
  if (options.targetGroup) {
    const group = await db(env).query.kioskGroups.findFirst({ where: eq(tables.kioskGroups.id, options.targetGroup) });
    if (!group) throw new ApiError(422, "unknown_group", `target group ${options.targetGroup} does not exist`);
  }
  return { filename, declaredSha256: sha || null, options };
}
