/**
 * Webhook signing and asynchronous delivery with bounded exponential-backoff retries and the
 * delivery faults (drop / duplicate / reorder / delay). Never blocks the API response.
 */
import { createHmac } from "node:crypto";
import type { FaultBook, WebhookFaults } from "./faults";
import type { KeyStats } from "./state";

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, timeoutMs: 5000 };

/** `Stripe-Signature` header value: `t=<unix>,v1=<hex hmac-sha256(secret, t.payload)>`. */
export function signPayload(payload: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${v1}`;
}

interface Delivery {
  body: string;
  endpoint: WebhookEndpoint;
  stats: KeyStats;
}

export class WebhookDispatcher {
  private global: WebhookEndpoint | null;
  private readonly byKey = new Map<string, WebhookEndpoint>();
  private readonly held = new Map<string, { delivery: Delivery; faults: WebhookFaults; timer: NodeJS.Timeout }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private closed = false;

  constructor(
    private readonly faults: FaultBook,
    global: WebhookEndpoint | null,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.global = global;
  }

  endpointFor(apiKey: string): WebhookEndpoint | null {
    return this.byKey.get(apiKey) ?? this.global;
  }

  setEndpoint(endpoint: WebhookEndpoint | null, apiKey?: string): void {
    if (apiKey) {
      if (endpoint) this.byKey.set(apiKey, endpoint);
      else this.byKey.delete(apiKey);
    } else this.global = endpoint;
  }

  describe(): { global: string | null; byApiKey: Record<string, string> } {
    return { global: this.global?.url ?? null, byApiKey: Object.fromEntries([...this.byKey].map(([k, v]) => [k, v.url])) };
  }

  /** Queue one serialized event for delivery to the key's endpoint (if any). */
  enqueue(body: string, apiKey: string, stats: KeyStats): void {
    if (this.closed) return;
    const endpoint = this.endpointFor(apiKey);
    if (!endpoint) return;
    const delivery: Delivery = { body, endpoint, stats };
    const f = this.faults.webhooks(apiKey);
    if (f?.reorder) {
      const prior = this.held.get(apiKey);
      if (prior) {
        this.held.delete(apiKey);
        clearTimeout(prior.timer);
        this.timers.delete(prior.timer);
        this.dispatch(delivery, f, 0);
        this.dispatch(prior.delivery, prior.faults, 5);
      } else {
        const timer = this.later(() => {
          this.held.delete(apiKey);
          this.dispatch(delivery, f, 0);
        }, 250);
        this.held.set(apiKey, { delivery, faults: f, timer });
      }
      return;
    }
    this.dispatch(delivery, f, 0);
  }

  private dispatch(d: Delivery, f: WebhookFaults | undefined, extraDelayMs: number): void {
    if (f && f.drop > 0 && Math.random() < f.drop) {
      d.stats.webhooks.dropped += 1;
      return;
    }
    const copies = f?.duplicate ? 2 : 1;
    if (copies === 2) d.stats.webhooks.duplicated += 1;
    for (let i = 0; i < copies; i++) {
      d.stats.webhooks.pending += 1;
      const delay = (f?.delayMs ?? 0) + extraDelayMs + i * 5;
      if (delay === 0) queueMicrotask(() => void this.attempt(d, 0));
      else this.later(() => void this.attempt(d, 0), delay);
    }
  }

  private later(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
    return t;
  }

  private async attempt(d: Delivery, n: number): Promise<void> {
    const w = d.stats.webhooks;
    if (this.closed) {
      w.pending -= 1;
      return;
    }
    w.attempts += 1;
    let ok = false;
    const ctrl = new AbortController();
    this.inflight.add(ctrl);
    const timer = setTimeout(() => ctrl.abort(), this.retry.timeoutMs);
    try {
      const res = await fetch(d.endpoint.url, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          "stripe-signature": signPayload(d.body, d.endpoint.secret),
        },
        body: d.body,
        signal: ctrl.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      ok = res.status >= 200 && res.status < 300;
    } catch {
      ok = false;
    } finally {
      clearTimeout(timer);
      this.inflight.delete(ctrl);
    }
    if (ok) {
      w.delivered += 1;
      w.pending -= 1;
      return;
    }
    if (this.closed || n + 1 >= this.retry.attempts) {
      if (!this.closed) w.failed += 1;
      w.pending -= 1;
      return;
    }
    this.later(() => void this.attempt(d, n + 1), this.retry.baseDelayMs * 2 ** n);
  }

  /** Drop queued deliveries (used by reset). */
  cancelPending(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.held.clear();
  }

  close(): void {
    this.closed = true;
    this.cancelPending();
    for (const c of this.inflight) c.abort();
    this.inflight.clear();
  }
}
