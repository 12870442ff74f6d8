import type { Context } from "hono";
import type { z } from "zod";
import { ApiError, badRequest } from "../errors.ts";

/** JSON bodies are small control messages; anything bigger is refused before it is read whole. */
export const MAX_JSON_BYTES = 1024 * 1024;

const tooLarge = () =>
  new ApiError(413, "payload_too_large", `JSON body larger than ${MAX_JSON_BYTES} bytes`);

/** Read at most MAX_JSON_BYTES of the body (a missing or lying Content-Length cannot get past). */
async function boundedText(req: Request): Promise<string> {
  const declared = Number(req.headers.get("Content-Length") ?? "0");
  if (declared > MAX_JSON_BYTES) throw tooLarge();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_JSON_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** Parse a JSON body with a zod type; bad JSON or a failed check is a 400 with the issues. */
export async function jsonBody<T extends z.ZodType>(c: Context, type: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await boundedText(c.req.raw));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw badRequest("body must be JSON");
  }
  const parsed = type.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(400, "bad_request", "request failed validation", parsed.error.issues);
  }
  return parsed.data;
}
