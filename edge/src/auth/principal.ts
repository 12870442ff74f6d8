import type { Capability, Role } from "@cad-kiosk/schema";

/** Who is calling: set by `authenticate`, read by the `require*` guards and handlers. */
export type Principal =
  | { kind: "staff"; tokenId: string; role: Role }
  | { kind: "agent"; tokenId: string; capabilities: Capability[] }
  | { kind: "kiosk"; tokenId: string; groupId: string; name: string };
