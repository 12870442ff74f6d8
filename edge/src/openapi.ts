import { z } from "zod";
import { ErrorBody, Group, GroupCreate, TokenCreate, TokenCreated, TokenInfo } from "@cad-kiosk/schema";
import { jobOperations } from "./jobs/operations.ts";
import { kioskOperations } from "./kiosk/operations.ts";
import type { Operation } from "./openapi/operation.ts";
import { uploadOperations } from "./uploads/operations.ts";

const coreOperations: Operation[] = [
  { method: "get", path: "/health", summary: "Liveness", tag: "meta", auth: "public" },
  { method: "get", path: "/openapi.json", summary: "This document", tag: "meta", auth: "public" },
  { method: "post", path: "/api/admin/tokens", summary: "Create a token (shown once)", tag: "admin", auth: "staff:admin", body: TokenCreate, response: TokenCreated, status: 201 },
  { method: "get", path: "/api/admin/tokens", summary: "List tokens (never the secrets)", tag: "admin", auth: "staff:admin", response: z.object({ tokens: z.array(TokenInfo) }) },
  { method: "delete", path: "/api/admin/tokens/{id}", summary: "Revoke a token", tag: "admin", auth: "staff:admin", response: TokenInfo },
  { method: "post", path: "/api/admin/groups", summary: "Create a kiosk group", tag: "admin", auth: "staff:admin", body: GroupCreate, response: Group, status: 201 },
  { method: "get", path: "/api/groups", summary: "List kiosk groups", tag: "groups", auth: "staff:viewer", response: z.object({ groups: z.array(Group) }) },
];

const schemaOf = (t: z.ZodType) => z.toJSONSchema(t, { io: "input", unrepresentable: "any" });

/** OpenAPI 3.1 document generated from the zod types of every operation. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of [...coreOperations, ...uploadOperations, ...jobOperations, ...kioskOperations]) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1], in: "path", required: true, schema: { type: "string" },
    }));
    const okStatus = String(op.status ?? 200);
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: [op.tag],
      "x-auth": op.auth,
      ...(op.auth === "public" ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { "application/json": { schema: schemaOf(op.body) } } } }
        : op.rawBody
          ? { requestBody: { required: true, content: { [op.rawBody]: { schema: { type: "string", format: "binary" } } } } }
          : {}),
      responses: {
        [okStatus]: {
          description: "success",
          ...(op.response ? { content: { "application/json": { schema: schemaOf(op.response) } } } : {}),
        },
        default: { description: "error", content: { "application/json": { schema: schemaOf(ErrorBody) } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: { title: "CAD-to-kiosk edge API", version: "0.1.0" },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    security: [{ bearer: [] }],
    paths,
  };
}
