import { z } from "zod";
import {
  GroupSnapshot, KioskPresence, PairingClaim, PairingStart, PairingStarted, PairingStatus, PublishRequest, ScenePatch,
  TokenInfo,
} from "@cad-kiosk/schema";
import type { Operation } from "../openapi/operation.ts";

/** Kiosk sync and pairing (edge/src/kiosk/routes.ts, pairing.ts). */
export const kioskOperations: Operation[] = [
  { method: "post", path: "/api/pairings", tag: "kiosk", auth: "public", body: PairingStart, response: PairingStarted, status: 201,
    summary: "A new kiosk asks to be paired: sends the SHA-256 of the device token it made, gets a code to show (expires in 10 min)" },
  { method: "get", path: "/api/pairings/{id}", tag: "kiosk", auth: "public", response: PairingStatus,
    summary: "Pairing status (the kiosk polls it until paired)" },
  { method: "post", path: "/api/kiosk/pairings/claim", tag: "kiosk", auth: "staff:admin", body: PairingClaim, response: TokenInfo, status: 201,
    summary: "Pair the kiosk showing this code with a group: its token hash becomes a kiosk token" },
  { method: "delete", path: "/api/kiosk/kiosks/{id}", tag: "kiosk", auth: "staff:admin", response: TokenInfo,
    summary: "Revoke a kiosk: its token stops working and its sockets close at once" },
  { method: "get", path: "/api/kiosk/me", tag: "kiosk", auth: "kiosk",
    response: z.object({ kioskId: z.string(), name: z.string(), groupId: z.string().nullable() }),
    summary: "Who this kiosk token belongs to" },
  { method: "get", path: "/api/kiosk/groups/{id}/socket", tag: "kiosk", auth: "kiosk (own group) or staff", status: 101,
    summary: "The group's WebSocket: hello/delta/state, prefetch and flip, presence, progress; staff uploader/admin may send scene changes; \"ping\" → \"pong\"" },
  { method: "get", path: "/api/kiosk/groups/{id}/state", tag: "kiosk", auth: "kiosk (own group) or staff", response: GroupSnapshot,
    summary: "The group's state: version, published model (signed URL), scene" },
  { method: "get", path: "/api/kiosk/groups/{id}/presence", tag: "kiosk", auth: "staff:viewer",
    response: z.object({ kiosks: z.array(KioskPresence) }), summary: "The group's kiosks, online or not" },
  { method: "post", path: "/api/kiosk/groups/{id}/publish", tag: "kiosk", auth: "staff:uploader", body: PublishRequest,
    response: z.object({ switchId: z.string(), version: z.number() }), status: 202,
    summary: "Publish a model: kiosks prefetch it, then the group flips together (all ready or the deadline)" },
  { method: "patch", path: "/api/kiosk/groups/{id}/scene", tag: "kiosk", auth: "staff:uploader", body: ScenePatch, response: GroupSnapshot,
    summary: "Change the scene (camera, floor, highlighted room, mode): a new version, pushed at once" },
];
