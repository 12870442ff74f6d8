import { and, desc, eq, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { badRequest } from "../errors.ts";
import { base64url } from "../lib/ids.ts";

/** Keyset pagination, newest first, over (created_at, id). The cursor is opaque to clients. */
export interface PageQuery {
  limit: number;
  after: { createdAt: number; id: string } | null;
}

export const PAGE_DEFAULTS = { limit: 50, maxLimit: 200 } as const;

export function pageQuery(limitRaw: string | undefined, cursorRaw: string | undefined): PageQuery {
  const limit = limitRaw === undefined ? PAGE_DEFAULTS.limit : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_DEFAULTS.maxLimit) {
    throw badRequest(`limit must be an integer from 1 to ${PAGE_DEFAULTS.maxLimit}`);
  }
  if (!cursorRaw) return { limit, after: null };
  try {
    const [createdAt, id] = JSON.parse(atob(cursorRaw.replace(/-/g, "+").replace(/_/g, "/")));
    if (typeof createdAt !== "number" || typeof id !== "string") throw new Error();
    return { limit, after: { createdAt, id } };
  } catch {
    throw badRequest("bad cursor");
  }
}

/** WHERE part for rows after the cursor, and ORDER BY, for a table with created_at and id. */
export function pageClause(cols: { createdAt: SQLiteColumn; id: SQLiteColumn }, page: PageQuery) {
  const where: SQL | undefined = page.after
    ? or(lt(cols.createdAt, page.after.createdAt), and(eq(cols.createdAt, page.after.createdAt), lt(cols.id, page.after.id)))
    : undefined;
  return { where, orderBy: [desc(cols.createdAt), desc(cols.id)] };
}

/** Fetch limit+1 rows, return `limit` and the cursor of the next page (null at the end). */
export function pageOf<T extends { createdAt: number; id: string }>(rows: T[], limit: number) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last
    ? base64url(new TextEncoder().encode(JSON.stringify([last.createdAt, last.id])))
    : null;
  return { items, nextCursor };
}
