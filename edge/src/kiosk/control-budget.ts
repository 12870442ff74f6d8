/**
 * How often one staff socket may change the group's state. The HTTP scene route is rate limited per token
 * by the Worker; a socket's messages never pass the Worker again, so the group's object keeps a token
 * bucket per socket instead (in memory: a wake-up from hibernation starts it full, which is generous, not
 * unsafe). Every control message is a durable write and a broadcast to every kiosk, so the budget is what
 * a person at a console can do, with room for a burst of camera moves — not what a script could.
 */
export interface ControlBudgetOptions {
  /** Messages a socket may send at once (default 100). */
  burst?: number;
  /** Messages per second the bucket refills with (default 20: a camera dragged from a console). */
  perSecond?: number;
}
export const CONTROL_BUDGET_DEFAULTS: Required<ControlBudgetOptions> = { burst: 100, perSecond: 20 };

export class ControlBudget {
  #buckets = new WeakMap<WebSocket, { tokens: number; at: number }>();
  #options: Required<ControlBudgetOptions>;

  constructor(options: ControlBudgetOptions = {}) {
    this.#options = { ...CONTROL_BUDGET_DEFAULTS, ...options };
  }

  /** Take one message's worth from the socket's bucket; false when it is empty. */
  take(ws: WebSocket, now = Date.now()): boolean {
    const { burst, perSecond } = this.#options;
    const b = this.#buckets.get(ws) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
    b.at = now;
    this.#buckets.set(ws, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
