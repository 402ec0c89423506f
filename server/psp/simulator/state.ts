/** In-memory store: O(1) maps per API key, insertion-ordered lists for cursor pagination. */
import type { CardBehaviour, CardBrand } from "./cards";
import { resourceMissing } from "./errors";
import { SimClock } from "./ids";
import type { CreatedRange } from "./params";
import { SKIP, TrackedMap, TrackedSet, isPersistable, type Binding, type Persistable } from "./persistence/tracked";

export type PaymentIntentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "succeeded"
  | "canceled";

export type CaptureMethod = "automatic" | "automatic_async" | "manual";

export interface PaymentMethodRec {
  id: string;
  created: number;
  brand: CardBrand;
  last4: string;
  expMonth: number;
  expYear: number;
  funding: "credit" | "debit";
  fingerprint: string;
  behaviour: CardBehaviour;
  billingName: string | null;
  billingEmail: string | null;
  metadata: Record<string, string>;
}

export interface PaymentIntentRec {
  id: string;
  created: number;
  amount: number;
  currency: string;
  status: PaymentIntentStatus;
  captureMethod: CaptureMethod;
  paymentMethod: string | null;
  metadata: Record<string, string>;
  description: string | null;
  returnUrl: string | null;
  amountCapturable: number;
  amountReceived: number;
  latestCharge: string | null;
  lastPaymentError: Record<string, unknown> | null;
  nextAction: Record<string, unknown> | null;
  canceledAt: number | null;
  cancellationReason: string | null;
  clientSecret: string;
  receiptEmail: string | null;
}

export interface ChargeRec {
  id: string;
  created: number;
  amount: number;
  amountCaptured: number;
  amountRefunded: number;
  captured: boolean;
  status: "succeeded" | "failed";
  currency: string;
  paymentIntent: string;
  paymentMethod: string;
  metadata: Record<string, string>;
  description: string | null;
  balanceTransaction: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  declineCode: string | null;
  disputed: boolean;
  threeDSecure: boolean;
}

export interface RefundRec {
  id: string;
  created: number;
  amount: number;
  currency: string;
  charge: string;
  paymentIntent: string;
  reason: string | null;
  metadata: Record<string, string>;
  balanceTransaction: string;
  /** pending until decided through `POST /_sim/refunds/:id` when the refundsPending fault left it so. */
  status: "pending" | "succeeded" | "failed";
  failureReason: string | null;
  failureBalanceTransaction: string | null;
}

export type BalanceTxnType = "charge" | "refund" | "refund_failure" | "adjustment";

/** Stripe's dispute statuses. */
export type DisputeStatus =
  | "warning_needs_response"
  | "warning_under_review"
  | "warning_closed"
  | "needs_response"
  | "under_review"
  | "won"
  | "lost"
  | "prevented";

export interface BalanceTxnRec {
  id: string;
  created: number;
  amount: number;
  fee: number;
  net: number;
  currency: string;
  type: BalanceTxnType;
  reportingCategory: "charge" | "refund" | "refund_failure" | "dispute" | "dispute_reversal";
  source: string;
  description: string | null;
}

export interface DisputeRec {
  id: string;
  created: number;
  amount: number;
  currency: string;
  charge: string;
  paymentIntent: string;
  reason: string;
  status: DisputeStatus;
  /** Withdrawal first, then the reinstatement when won. */
  balanceTransactions: string[];
  /** The evidence received so far (Stripe's string fields), as the merchant sent it. */
  evidence: Record<string, string>;
  submissionCount: number;
  dueBy: number;
  metadata: Record<string, string>;
}

export interface EventRec {
  id: string;
  created: number;
  type: string;
  object: Record<string, unknown>;
  apiVersion: string;
  requestId: string | null;
  idempotencyKey: string | null;
  pendingWebhooks: number;
}

export interface IdempotencyRec {
  method: string;
  path: string;
  hash: string;
  state: "running" | "done";
  status: number;
  body: string;
  requestId: string;
  /** Epoch ms when stored; keys older than a day are forgotten when the durable store loads or compacts. */
  at?: number;
}

export interface KeyStats {
  requests: number;
  authorizations: number;
  declines: number;
  captures: number;
  refunds: number;
  cancellations: number;
  disputes: number;
  evidenceSubmissions: number;
  threeDsChallenges: number;
  idempotentReplays: number;
  chargesByMetadata: Map<string, number>;
  faults: { fail5xx: number; timeoutAfterCommit: number; declineNext: number };
  webhooks: { attempts: number; delivered: number; failed: number; dropped: number; duplicated: number; pending: number };
}

function newStats(): KeyStats {
  return {
    requests: 0,
    authorizations: 0,
    declines: 0,
    captures: 0,
    refunds: 0,
    cancellations: 0,
    disputes: 0,
    evidenceSubmissions: 0,
    threeDsChallenges: 0,
    idempotentReplays: 0,
    chargesByMetadata: new TrackedMap<number>(),
    faults: { fail5xx: 0, timeoutAfterCommit: 0, declineNext: 0 },
    webhooks: { attempts: 0, delivered: 0, failed: 0, dropped: 0, duplicated: 0, pending: 0 },
  };
}

export interface PageOptions<T> {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
  filter?: (item: T) => boolean;
  created?: CreatedRange;
  /** Name used in "No such X" errors for unknown cursors. */
  kind: string;
}

/**
 * Objects in creation order (created is non-decreasing), newest first when listed.
 * Durable: with a store attached, `add`, `get` and `remove` report the id and the record's state
 * at the next flush is journaled, so records fetched with `get` may be mutated in place. Code that
 * mutates a record reached another way (`values()`, `page()`, a reference kept past the request)
 * calls `touch(record)`.
 */
export class Collection<T extends { id: string; created: number }> implements Persistable {
  private readonly byId = new Map<string, T>();
  private readonly order: T[] = [];
  private readonly position = new Map<string, number>();
  persist: Binding | null = null;

  add(item: T): T {
    this.position.set(item.id, this.order.length);
    this.order.push(item);
    this.byId.set(item.id, item);
    this.persist?.sink.changed(this, item.id);
    return item;
  }

  get(id: string): T | undefined {
    const item = this.byId.get(id);
    if (item !== undefined && this.persist) this.persist.sink.changed(this, id);
    return item;
  }

  /** Reports a record changed outside `get` so the durable store writes it. */
  touch(item: T): void {
    this.persist?.sink.changed(this, item.id);
  }

  /** Forgets an item (the control API's "missing line"); O(n), never on a request path. */
  remove(id: string): boolean {
    if (!this.removeQuietly(id)) return false;
    this.persist?.sink.changed(this, id);
    return true;
  }

  private removeQuietly(id: string): boolean {
    const pos = this.position.get(id);
    if (pos === undefined) return false;
    this.order.splice(pos, 1);
    this.byId.delete(id);
    this.position.delete(id);
    for (let i = pos; i < this.order.length; i++) this.position.set(this.order[i]!.id, i);
    return true;
  }

  persistedValue(id: string): unknown {
    return this.byId.get(id);
  }

  *persistedEntries(): Iterable<[string, unknown]> {
    for (const item of this.order) yield [item.id, item];
  }

  restore(id: string, value: unknown): void {
    if (value === undefined) {
      this.removeQuietly(id);
      return;
    }
    const item = value as T;
    const pos = this.position.get(id);
    if (pos === undefined) {
      this.position.set(id, this.order.length);
      this.order.push(item);
    } else this.order[pos] = item;
    this.byId.set(id, item);
  }

  restoreClear(): void {
    this.order.length = 0;
    this.byId.clear();
    this.position.clear();
  }

  get size(): number {
    return this.order.length;
  }

  values(): readonly T[] {
    return this.order;
  }

  /** Index of the last item with created <= upper, or -1. */
  private lastAtOrBefore(upper: number): number {
    let lo = 0;
    let hi = this.order.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.order[mid]?.created ?? 0) <= upper) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  page(opts: PageOptions<T>): { data: T[]; hasMore: boolean } {
    const lower = opts.created?.lower ?? Number.NEGATIVE_INFINITY;
    const upper = opts.created?.upper ?? Number.POSITIVE_INFINITY;
    const out: T[] = [];
    let hasMore = false;
    if (opts.endingBefore !== undefined) {
      const pos = this.position.get(opts.endingBefore);
      if (pos === undefined) throw resourceMissing(opts.kind, opts.endingBefore, "ending_before", 400);
      for (let i = pos + 1; i < this.order.length; i++) {
        const it = this.order[i]!;
        if (it.created > upper) break;
        if (it.created < lower || (opts.filter && !opts.filter(it))) continue;
        if (out.length === opts.limit) {
          hasMore = true;
          break;
        }
        out.push(it);
      }
      return { data: out.reverse(), hasMore };
    }
    let start = this.order.length - 1;
    if (opts.startingAfter !== undefined) {
      const pos = this.position.get(opts.startingAfter);
      if (pos === undefined) throw resourceMissing(opts.kind, opts.startingAfter, "starting_after", 400);
      start = pos - 1;
    }
    if (upper !== Number.POSITIVE_INFINITY) start = Math.min(start, this.lastAtOrBefore(upper));
    for (let i = start; i >= 0; i--) {
      const it = this.order[i]!;
      if (it.created < lower) break;
      if (opts.filter && !opts.filter(it)) continue;
      if (out.length === opts.limit) {
        hasMore = true;
        break;
      }
      out.push(it);
    }
    return { data: out, hasMore };
  }
}

const MAX_IDEMPOTENCY_KEYS = 200_000;

/** Everything belonging to one API key. */
export class Store {
  readonly paymentIntents = new Collection<PaymentIntentRec>();
  readonly charges = new Collection<ChargeRec>();
  readonly refunds = new Collection<RefundRec>();
  readonly balanceTransactions = new Collection<BalanceTxnRec>();
  readonly disputes = new Collection<DisputeRec>();
  readonly events = new Collection<EventRec>();
  readonly paymentMethodIds = new TrackedSet();
  /** Only answered keys are durable: a key still running when the process dies was never answered. */
  private readonly idempotency = new TrackedMap<IdempotencyRec>({ codec: { encode: (r) => (r.state === "done" ? r : SKIP), decode: (raw) => raw as IdempotencyRec } });
  readonly stats: KeyStats = newStats();

  constructor(readonly apiKey: string) {}

  /**
   * What the durable store keeps for this key: every Collection, TrackedMap and TrackedSet field
   * (a new `readonly things = new Collection<ThingRec>()` opts in by existing), plus the charge counts.
   */
  persistables(): [string, Persistable][] {
    const out: [string, Persistable][] = [];
    for (const [name, v] of Object.entries(this)) if (isPersistable(v)) out.push([name, v]);
    if (isPersistable(this.stats.chargesByMetadata)) out.push(["stats.chargesByMetadata", this.stats.chargesByMetadata]);
    return out;
  }

  /** Idempotency keys older than `maxAgeMs` (Stripe keeps them 24 hours). */
  pruneIdempotency(now: number, maxAgeMs: number): void {
    for (const [k, r] of this.idempotency) if ((r.at ?? now) < now - maxAgeMs) this.idempotency.delete(k);
  }

  getIdempotency(key: string): IdempotencyRec | undefined {
    return this.idempotency.get(key);
  }

  setIdempotency(key: string, rec: IdempotencyRec): void {
    if (this.idempotency.size >= MAX_IDEMPOTENCY_KEYS && !this.idempotency.has(key)) {
      const oldest = this.idempotency.keys().next();
      if (!oldest.done) this.idempotency.delete(oldest.value);
    }
    this.idempotency.set(key, rec.at === undefined ? { ...rec, at: Date.now() } : rec);
  }

  deleteIdempotency(key: string): void {
    this.idempotency.delete(key);
  }

  recordCharge(metadata: Record<string, string>): void {
    const ref = metadata.payrail_payment_intent;
    if (ref === undefined) return;
    this.stats.chargesByMetadata.set(ref, (this.stats.chargesByMetadata.get(ref) ?? 0) + 1);
  }
}

/** All simulator state; the server owns one. */
export class Registry {
  readonly stores = new Map<string, Store>();
  /** Payment methods are global so a publishable-key tokenization is usable with any secret key. Durable: `set` again after changing one. */
  readonly paymentMethods = new TrackedMap<PaymentMethodRec>();
  /** Object id -> owning store, for key-less routes (3DS page, control API). */
  readonly owners = new TrackedMap<Store>({ codec: { encode: (s) => s.apiKey, decode: (raw) => this.store(String(raw)) } });
  readonly clock = new SimClock();
  /** How long after a capture with pm_card_createDispute the dispute opens (0 in tests). */
  disputeDelayMs = 2000;
  /** The durable store's hooks (null in memory mode): a store came into use, a store was dropped. */
  storeHooks: { attach(store: Store): void; used(store: Store): void; dropped(store: Store | null): void } | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  onEvent: (event: EventRec, store: Store) => void = () => undefined;
  hasWebhookEndpoint: (apiKey: string) => boolean = () => false;

  store(apiKey: string): Store {
    let s = this.stores.get(apiKey);
    if (!s) {
      s = new Store(apiKey);
      this.stores.set(apiKey, s);
      this.storeHooks?.attach(s);
    }
    this.storeHooks?.used(s);
    return s;
  }

  /** Registry-wide durable containers (scope ""). */
  persistables(): [string, Persistable][] {
    return [
      ["paymentMethods", this.paymentMethods],
      ["owners", this.owners],
    ];
  }

  isLive(store: Store): boolean {
    return this.stores.get(store.apiKey) === store;
  }

  schedule(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  reset(apiKey?: string): void {
    if (apiKey === undefined) {
      for (const s of this.stores.values()) this.storeHooks?.dropped(s);
      this.storeHooks?.dropped(null);
      this.stores.clear();
      this.paymentMethods.clear();
      this.owners.clear();
      this.clearTimers();
      return;
    }
    const s = this.stores.get(apiKey);
    if (!s) return;
    this.storeHooks?.dropped(s);
    this.stores.delete(apiKey);
    for (const [id, owner] of this.owners) if (owner === s) this.owners.delete(id);
    for (const id of s.paymentMethodIds) this.paymentMethods.delete(id);
  }
}
