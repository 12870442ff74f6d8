/**
 * Per-socket state of a KioskGroup connection, kept in the socket's attachment so it survives
 * hibernation. It changes only through `setPeer` (one setter, one serialisation).
 */

/** Who is on the socket, as the Worker authenticated it (sent in the `X-Kiosk-Peer` header). */
export interface Peer {
  role: "kiosk" | "staff";
  /** The token id: a kiosk's identity; for staff, what a revocation closes. */
  id: string;
  name: string;
  /**
   * May change the group's state over the socket (staff with role uploader or admin). Decided once, when
   * the Worker authenticated the upgrade; a revoked token's sockets are closed, so it cannot go stale.
   */
  control: boolean;
}

export interface PeerState extends Peer {
  /** Connected at (ms). */
  since: number;
  /** Last hello or status (ms); pings are timed by the runtime (getWebSocketAutoResponseTimestamp). */
  lastActive: number;
  /** Said hello: speaks the protocol and receives changes. */
  hello: boolean;
  /** Version of the group state the peer applied. */
  version: number;
  appVersion: string | null;
  modelId: string | null;
  ready: boolean;
  /** Switch whose model this kiosk has prefetched. */
  readyFor: string | null;
  error: string | null;
  clockOffsetMs: number | null;
  rttMs: number | null;
}

export function attachment(ws: WebSocket): PeerState {
  return ws.deserializeAttachment() as PeerState;
}

export function setPeer(ws: WebSocket, state: PeerState): PeerState {
  ws.serializeAttachment(state);
  return state;
}
