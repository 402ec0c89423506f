/**
 * Fault injection, set through `POST /_sim/faults`. Each fault set is global or scoped to one
 * API key (`apiKey` field); a key's own scope is consulted before the global one.
 */
import { z } from "zod";

const count = z.number().int().min(1).max(1_000_000).default(1);

const counted = z.object({ count, path: z.string().min(1).optional() }).strict();

const timeoutFault = z
  .object({
    count,
    path: z.string().min(1).optional(),
    hangMs: z.number().int().min(0).max(600_000).default(5000),
    /** Destroy the socket after hanging (default); false sends the real response late instead. */
    destroy: z.boolean().default(true),
  })
  .strict();

const declineFault = z
  .object({ count, code: z.string().min(1).default("card_declined"), declineCode: z.string().min(1).optional(), message: z.string().optional() })
  .strict();

const webhookFaults = z
  .object({
    duplicate: z.boolean().default(false),
    reorder: z.boolean().default(false),
    drop: z.number().min(0).max(1).default(0),
    delayMs: z.number().int().min(0).max(600_000).default(0),
  })
  .strict();

export const faultInput = z
  .object({
    apiKey: z.string().min(1).optional(),
    latencyMs: z.number().int().min(0).max(60_000).nullable().optional(),
    fail5xx: counted.nullable().optional(),
    timeoutAfterCommit: timeoutFault.nullable().optional(),
    declineNext: declineFault.nullable().optional(),
    /** The next refunds stay pending until decided through `POST /_sim/refunds/:id`. */
    refundsPending: counted.nullable().optional(),
    webhooks: webhookFaults.nullable().optional(),
  })
  .strict();

export type CountedFault = z.infer<typeof counted>;
export type TimeoutFault = z.infer<typeof timeoutFault>;
export type DeclineFault = z.infer<typeof declineFault>;
export type WebhookFaults = z.infer<typeof webhookFaults>;

export interface FaultSet {
  latencyMs?: number;
  fail5xx?: CountedFault;
  timeoutAfterCommit?: TimeoutFault;
  declineNext?: DeclineFault;
  refundsPending?: CountedFault;
  webhooks?: WebhookFaults;
}

type CountedKey = "fail5xx" | "timeoutAfterCommit" | "declineNext" | "refundsPending";

export class FaultBook {
  private global: FaultSet = {};
  private readonly byKey = new Map<string, FaultSet>();

  /** Merge categories present in the input into the scope; `null` removes a category. */
  apply(input: unknown): { ok: true; scope: string } | { ok: false; message: string } {
    const parsed = faultInput.safeParse(input);
    if (!parsed.success) return { ok: false, message: parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") };
    const { apiKey, ...rest } = parsed.data;
    let set = apiKey ? this.byKey.get(apiKey) : this.global;
    if (!set) {
      set = {};
      if (apiKey) this.byKey.set(apiKey, set);
    }
    for (const [k, v] of Object.entries(rest) as [keyof FaultSet, unknown][]) {
      if (v === undefined) continue;
      if (v === null || v === 0) delete set[k];
      else (set as Record<string, unknown>)[k] = v;
    }
    return { ok: true, scope: apiKey ?? "global" };
  }

  clear(apiKey?: string): void {
    if (apiKey) this.byKey.delete(apiKey);
    else {
      this.global = {};
      this.byKey.clear();
    }
  }

  snapshot(): { global: FaultSet; byApiKey: Record<string, FaultSet> } {
    return { global: structuredClone(this.global), byApiKey: Object.fromEntries([...this.byKey].map(([k, v]) => [k, structuredClone(v)])) };
  }

  private scopes(apiKey: string | null): FaultSet[] {
    const own = apiKey ? this.byKey.get(apiKey) : undefined;
    return own ? [own, this.global] : [this.global];
  }

  latencyMs(apiKey: string | null): number {
    for (const s of this.scopes(apiKey)) if (s.latencyMs !== undefined) return s.latencyMs;
    return 0;
  }

  private take<K extends CountedKey>(apiKey: string | null, key: K, path: string | null): NonNullable<FaultSet[K]> | undefined {
    for (const s of this.scopes(apiKey)) {
      const f = s[key];
      if (!f) continue;
      if (path !== null && "path" in f && f.path !== undefined && !path.includes(f.path)) continue;
      f.count -= 1;
      if (f.count <= 0) delete s[key];
      return f as NonNullable<FaultSet[K]>;
    }
    return undefined;
  }

  take5xx(apiKey: string | null, path: string): boolean {
    return this.take(apiKey, "fail5xx", path) !== undefined;
  }

  takeTimeout(apiKey: string | null, path: string): TimeoutFault | undefined {
    return this.take(apiKey, "timeoutAfterCommit", path);
  }

  takeDecline(apiKey: string | null): DeclineFault | undefined {
    return this.take(apiKey, "declineNext", null);
  }

  takeRefundPending(apiKey: string | null): boolean {
    return this.take(apiKey, "refundsPending", null) !== undefined;
  }

  webhooks(apiKey: string | null): WebhookFaults | undefined {
    for (const s of this.scopes(apiKey)) if (s.webhooks) return s.webhooks;
    return undefined;
  }
}

/** Faults asked for by one request through the `Simulator-Fault` header (the SDK's `headers` option). */
export interface RequestFaults {
  fail5xx: boolean;
  latencyMs: number;
  timeoutAfterCommit?: TimeoutFault;
}

export const FAULT_HEADER = "simulator-fault";

/**
 * Parses e.g. `fail5xx`, `latency=200`, `timeout_after_commit; hang_ms=2000`, or several joined
 * with commas. Unknown words are ignored so a typo never turns into a silent success elsewhere.
 */
export function parseFaultHeader(value: string | string[] | undefined): RequestFaults {
  const faults: RequestFaults = { fail5xx: false, latencyMs: 0 };
  if (!value) return faults;
  for (const part of (Array.isArray(value) ? value.join(",") : value).split(",")) {
    const [name, ...opts] = part.split(";").map((s) => s.trim().toLowerCase());
    const option = (key: string) => {
      const kv = opts.find((o) => o.startsWith(`${key}=`));
      const n = kv ? Number(kv.slice(key.length + 1)) : NaN;
      return Number.isFinite(n) && n >= 0 ? Math.min(n, 600_000) : undefined;
    };
    if (name === "fail5xx") faults.fail5xx = true;
    else if (name?.startsWith("latency=")) faults.latencyMs = Math.min(Math.max(Number(name.slice(8)) || 0, 0), 60_000);
    else if (name === "timeout_after_commit") {
      faults.timeoutAfterCommit = { count: 1, hangMs: option("hang_ms") ?? 5000, destroy: !opts.includes("respond_late") };
    }
  }
  return faults;
}
