/**
 * Raw ceiling: the SQL statements the merchant API issues for a lifecycle, replayed directly with
 * postgres.js (own pool) in transactions shaped like the API's, closed-loop, no HTTP and no PSP.
 *
 * Statement texts and parameters come from the same drizzle query builders the repository uses
 * (`.toSQL()`), executed the way the app's database handle executes them: as named prepared
 * statements (`unsafe(text, params, { prepare: true })`, see db/client.ts). Per lifecycle (see server/http/rest.ts, idempotency/*,
 * payments/orchestrator.ts, apply.ts, refunds/service.ts):
 *
 *   create : reserve key | begin, insert intent, insert event, complete key, commit
 *   confirm: reserve key | tx1 begin, lock intent, insert attempt, update intent, commit
 *                        | tx2 begin, lock intent, select attempt, update intent, update attempt,
 *                          post journal, insert event, complete key, commit
 *   capture: same shape as confirm (capture journal has 5 lines)
 *   refund : reserve key | tx1 begin, lock, select refund, sum refunds, insert refund, insert attempt, insert event, commit
 *   (10%)                | tx2 begin, select refund, lock, select refund, select attempt, update attempt,
 *                          update refund, update intent, post journal, 2 x insert event, complete key, commit
 *   replay : reserve key (conflict, no row) + select key          (5% of requests)
 */
import { and, eq, inArray, sql as dsql } from "drizzle-orm";
import { performance } from "node:perf_hooks";
import type postgres from "postgres";
import { createDatabase, type Db } from "../db/client";
import { events, idempotencyKeys, paymentAttempts, paymentIntents, refunds } from "../db/schema";
import { requestHash } from "../server/idempotency/hash";
import { derivedId, newId } from "../server/ids";
import { ACCOUNT_CODES, ensureAccounts, type AccountCode } from "../server/ledger";
import { INSERT_JOURNAL } from "../server/ledger/post";
import { createMerchant } from "../server/merchants/service";
import type { PaymentIntentRow } from "../server/payments/repository";
import type { RefundRow } from "../server/refunds/repository";
import { serializePaymentIntent, serializeRefund } from "../server/payments/serialize";
import { round, summarize, type LatencySummary } from "./stats";

export interface RawOptions {
  databaseUrl: string;
  seconds: number;
  concurrency: number;
  refundShare?: number;
  replayShare?: number;
  /** Send every statement as a named prepared statement, as the API does (default true). */
  prepareAll?: boolean;
  /** Called around the measured window (the pool is open in both), e.g. for CPU accounting. */
  hooks?: { beforeMeasure?: () => Promise<void>; afterMeasure?: () => Promise<void> };
}

export interface RawResult {
  lifecyclesPerSecond: number;
  lifecycles: number;
  seconds: number;
  concurrency: number;
  prepareAll: boolean;
  /** Statements (including begin/commit) per lifecycle, averaged. */
  statementsPerLifecycle: number;
  transactionsPerLifecycle: number;
  /** Wall time of each API-shaped operation (all its statements), ms. */
  ops: Record<"create" | "confirm" | "capture" | "refund", LatencySummary>;
}

type Query = { sql: string; params: unknown[] };
type Conn = postgres.Sql | postgres.TransactionSql;

class Replayer {
  statements = 0;
  transactions = 0;
  constructor(
    private readonly db: Db,
    private readonly pool: postgres.Sql,
    private readonly merchantId: string,
    private readonly accounts: Map<AccountCode, bigint>,
    private readonly opts: Required<Pick<RawOptions, "refundShare" | "replayShare" | "prepareAll">>,
  ) {}

  private async q(c: Conn, query: Query, prepare = false): Promise<postgres.RowList<postgres.Row[]>> {
    this.statements += 1;
    return c.unsafe(query.sql, query.params as postgres.ParameterOrJSON<never>[], { prepare: prepare || this.opts.prepareAll });
  }

  /** postgres.js begin/commit: two statements of their own, like drizzle's db.transaction. */
  private async tx<T>(fn: (c: postgres.TransactionSql) => Promise<T>): Promise<T> {
    this.statements += 2;
    this.transactions += 1;
    return this.pool.begin(fn) as Promise<T>;
  }

  private reserveQ(key: string, path: string, params: unknown): Query {
    return this.db
      .insert(idempotencyKeys)
      .values({ merchantId: this.merchantId, key, requestHash: requestHash("POST", path, params), requestPath: `POST ${path}`, status: "in_progress", lockedAt: new Date() })
      .onConflictDoNothing()
      .returning()
      .toSQL();
  }

  private completeQ(key: string, body: string): Query {
    return this.db
      .update(idempotencyKeys)
      .set({ status: "completed", responseStatus: 200, responseBody: body, completedAt: new Date(), lockedAt: null })
      .where(and(eq(idempotencyKeys.merchantId, this.merchantId), eq(idempotencyKeys.key, key)))
      .toSQL();
  }

  /** Reserve; 5% of requests are then repeated: reserve conflicts, the stored key is read. */
  private async reserve(key: string, path: string, params: unknown): Promise<void> {
    await this.q(this.pool, this.reserveQ(key, path, params));
  }

  private async maybeReplay(key: string, path: string, params: unknown): Promise<void> {
    if (Math.random() >= this.opts.replayShare) return;
    await this.q(this.pool, this.reserveQ(key, path, params));
    await this.q(
      this.pool,
      this.db.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.merchantId, this.merchantId), eq(idempotencyKeys.key, key))).toSQL(),
    );
  }

  private lockQ(id: string): Query {
    return this.db
      .select()
      .from(paymentIntents)
      .where(and(eq(paymentIntents.merchantId, this.merchantId), eq(paymentIntents.id, id)))
      .for("update")
      .toSQL();
  }

  /** updatePaymentIntent: the API throws when the optimistic version check matches no row. */
  private async updateIntent(c: Conn, pi: PaymentIntentRow, changes: Partial<PaymentIntentRow>): Promise<void> {
    const rows = await this.q(c, this.updateIntentQ(pi, changes));
    if (rows.length !== 1) throw new Error(`raw: concurrent update of ${pi.id} (version ${pi.version})`);
  }

  private updateIntentQ(pi: PaymentIntentRow, changes: Partial<PaymentIntentRow>): Query {
    return this.db
      .update(paymentIntents)
      .set({ ...changes, version: dsql`${paymentIntents.version} + 1`, updatedAt: new Date() })
      .where(and(eq(paymentIntents.id, pi.id), eq(paymentIntents.version, pi.version)))
      .returning()
      .toSQL();
  }

  /** Applies the same change to the local copy used for serialization (the API serializes the returned row). */
  private static applied(pi: PaymentIntentRow, changes: Partial<PaymentIntentRow>): PaymentIntentRow {
    return { ...pi, ...changes, version: pi.version + 1, updatedAt: new Date() };
  }

  private insertAttemptQ(pi: PaymentIntentRow, kind: "authorize" | "capture" | "refund", amount: bigint, refundId: string | null = null): { id: string; query: Query } {
    const id = newId("pa");
    const query = this.db
      .insert(paymentAttempts)
      .values({
        id,
        merchantId: pi.merchantId,
        paymentIntentId: pi.id,
        refundId,
        kind,
        status: "pending",
        amount,
        currency: pi.currency,
        paymentMethod: pi.paymentMethod,
        pspIdempotencyKey: `payrail_${id}`,
      })
      .returning()
      .toSQL();
    return { id, query };
  }

  private findAttemptQ(id: string): Query {
    return this.db.select().from(paymentAttempts).where(eq(paymentAttempts.id, id)).toSQL();
  }

  private updateAttemptQ(id: string, changes: { status: "succeeded"; pspReference: string }): Query {
    return this.db.update(paymentAttempts).set({ ...changes, updatedAt: new Date() }).where(eq(paymentAttempts.id, id)).toSQL();
  }

  private eventQ(type: string, objectId: string, object: Record<string, unknown>): Query {
    return this.db.insert(events).values({ id: newId("evt"), merchantId: this.merchantId, type, objectId, data: { object } }).toSQL();
  }

  private journalQ(pi: PaymentIntentRow, kind: string, reference: string, lines: [AccountCode, bigint][], refundId: string | null = null): Query {
    const ids = lines.map(([code]) => this.accounts.get(code)!.toString());
    return {
      sql: INSERT_JOURNAL,
      params: [
        this.merchantId,
        kind,
        reference,
        pi.id,
        refundId,
        null,
        null,
        `{${ids.join(",")}}`,
        `{${lines.map(() => pi.currency).join(",")}}`,
        `{${lines.map(([, a]) => a.toString()).join(",")}}`,
      ],
    };
  }

  async create(): Promise<PaymentIntentRow> {
    const key = `raw_create_${newId("k", 16)}`;
    const amount = BigInt(100 + Math.floor(Math.random() * 99_901));
    const params = { amount: amount.toString(), currency: "usd", capture_method: "manual", payment_method: "pm_card_visa" };
    await this.reserve(key, "/v1/payment_intents", params);
    const now = new Date();
    const row = {
      id: newId("pi"),
      merchantId: this.merchantId,
      amount,
      currency: "usd",
      status: "requires_confirmation" as const,
      captureMethod: "manual" as const,
      paymentMethod: "pm_card_visa",
      paymentMethodType: "card",
      description: null,
      metadata: {},
      returnUrl: null,
    };
    const pi: PaymentIntentRow = {
      ...row,
      amountCapturable: 0n,
      amountReceived: 0n,
      amountRefunded: 0n,
      lastPaymentError: null,
      nextAction: null,
      cancellationReason: null,
      pspPaymentIntentId: null,
      pspChargeId: null,
      latestChargeId: null,
      clientSecret: null,
      customer: null,
      receiptEmail: null,
      statementDescriptor: null,
      statementDescriptorSuffix: null,
      shipping: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.tx(async (tx) => {
      await this.q(tx, this.db.insert(paymentIntents).values(row).returning().toSQL());
      const body = serializePaymentIntent(pi);
      await this.q(tx, this.eventQ("payment_intent.created", pi.id, body));
      await this.q(tx, this.completeQ(key, JSON.stringify(body)));
    });
    await this.maybeReplay(key, "/v1/payment_intents", params);
    return pi;
  }

  async confirm(pi0: PaymentIntentRow): Promise<PaymentIntentRow> {
    const key = `raw_confirm_${newId("k", 16)}`;
    const path = `/v1/payment_intents/${pi0.id}/confirm`;
    await this.reserve(key, path, {});
    const c1: Partial<PaymentIntentRow> = {
      status: "authorizing",
      paymentMethod: pi0.paymentMethod,
      paymentMethodType: "card",
      captureMethod: pi0.captureMethod,
      returnUrl: pi0.returnUrl,
      lastPaymentError: null,
      nextAction: null,
    };
    const attempt = this.insertAttemptQ(pi0, "authorize", pi0.amount);
    await this.tx(async (tx) => {
      await this.q(tx, this.lockQ(pi0.id));
      await this.q(tx, attempt.query);
      await this.updateIntent(tx, pi0, c1);
    });
    const pi1 = Replayer.applied(pi0, c1);
    // (PSP authorize call happens here in the API.)
    const pspPi = `pi_sim_${pi0.id.slice(3)}`;
    const c2: Partial<PaymentIntentRow> = {
      pspPaymentIntentId: pspPi,
      status: "authorized",
      amountCapturable: pi1.amount,
      pspChargeId: `ch_sim_${pi0.id.slice(3)}`,
      nextAction: null,
    };
    const pi2 = Replayer.applied(pi1, c2);
    await this.tx(async (tx) => {
      await this.q(tx, this.lockQ(pi1.id));
      await this.q(tx, this.findAttemptQ(attempt.id));
      await this.updateIntent(tx, pi1, c2);
      await this.q(tx, this.updateAttemptQ(attempt.id, { status: "succeeded", pspReference: pspPi }));
      await this.q(tx, this.journalQ(pi2, "authorization", `auth:${attempt.id}`, [["authorization_holds", pi2.amount], ["authorization_commitments", -pi2.amount]]), true);
      const body = serializePaymentIntent(pi2);
      await this.q(tx, this.eventQ("payment_intent.amount_capturable_updated", pi2.id, body));
      await this.q(tx, this.completeQ(key, JSON.stringify(body)));
    });
    await this.maybeReplay(key, path, {});
    return pi2;
  }

  async capture(pi0: PaymentIntentRow): Promise<PaymentIntentRow> {
    const key = `raw_capture_${newId("k", 16)}`;
    const path = `/v1/payment_intents/${pi0.id}/capture`;
    await this.reserve(key, path, {});
    const amount = pi0.amountCapturable;
    const attempt = this.insertAttemptQ(pi0, "capture", amount);
    const c1: Partial<PaymentIntentRow> = { status: "capturing" };
    await this.tx(async (tx) => {
      await this.q(tx, this.lockQ(pi0.id));
      await this.q(tx, attempt.query);
      await this.updateIntent(tx, pi0, c1);
    });
    const pi1 = Replayer.applied(pi0, c1);
    // (PSP capture call happens here in the API.)
    const fee = (amount * 29n + 500n) / 1000n + 30n;
    const c2: Partial<PaymentIntentRow> = { status: "captured", amountReceived: amount, amountCapturable: 0n, pspChargeId: pi1.pspChargeId };
    const pi2 = Replayer.applied(pi1, c2);
    await this.tx(async (tx) => {
      await this.q(tx, this.lockQ(pi1.id));
      await this.q(tx, this.findAttemptQ(attempt.id));
      await this.updateIntent(tx, pi1, c2);
      await this.q(tx, this.updateAttemptQ(attempt.id, { status: "succeeded", pspReference: pi1.pspChargeId ?? "" }));
      await this.q(
        tx,
        this.journalQ(pi2, "capture", `capture:${attempt.id}`, [
          ["authorization_commitments", amount],
          ["authorization_holds", -amount],
          ["psp_receivable", amount - fee],
          ["psp_fees", fee],
          ["merchant_payable", -amount],
        ]),
        true,
      );
      const body = serializePaymentIntent(pi2);
      await this.q(tx, this.eventQ("payment_intent.succeeded", pi2.id, body));
      await this.q(tx, this.completeQ(key, JSON.stringify(body)));
    });
    await this.maybeReplay(key, path, {});
    return pi2;
  }

  async refund(pi0: PaymentIntentRow): Promise<void> {
    const key = `raw_refund_${newId("k", 16)}`;
    const path = "/v1/refunds";
    const amount = BigInt(1 + Math.floor(Math.random() * Number(pi0.amountReceived - 1n)));
    const params = { payment_intent: pi0.id, amount: amount.toString() };
    await this.reserve(key, path, params);
    const refundId = derivedId("re", this.merchantId, key);
    const now = new Date();
    const refundRow = { id: refundId, merchantId: this.merchantId, paymentIntentId: pi0.id, amount, currency: pi0.currency, status: "pending" as const, reason: null, metadata: {} };
    const refund: RefundRow = { ...refundRow, pspRefundId: null, chargeId: null, failureReason: null, createdAt: now, updatedAt: now };
    const findRefundQ = this.db.select().from(refunds).where(and(eq(refunds.merchantId, this.merchantId), eq(refunds.id, refundId))).toSQL();
    const attempt = this.insertAttemptQ(pi0, "refund", amount, refundId);
    await this.tx(async (tx) => {
      await this.q(tx, this.lockQ(pi0.id));
      await this.q(tx, findRefundQ);
      await this.q(
        tx,
        this.db
          .select({ total: dsql<string>`coalesce(sum(${refunds.amount}), 0)::text` })
          .from(refunds)
          .where(and(eq(refunds.paymentIntentId, pi0.id), inArray(refunds.status, ["pending", "succeeded"])))
          .toSQL(),
      );
      await this.q(tx, this.db.insert(refunds).values(refundRow).onConflictDoNothing({ target: refunds.id }).returning().toSQL());
      await this.q(tx, attempt.query);
      await this.q(tx, this.eventQ("refund.created", refundId, serializeRefund(refund)));
    });
    // (PSP refund call happens here in the API.)
    const pspRefund = `re_sim_${refundId.slice(3)}`;
    const done: RefundRow = { ...refund, status: "succeeded", pspRefundId: pspRefund, updatedAt: new Date() };
    const c: Partial<PaymentIntentRow> = { status: "partially_refunded", amountRefunded: pi0.amountRefunded + amount };
    const pi1 = Replayer.applied(pi0, c);
    await this.tx(async (tx) => {
      await this.q(tx, findRefundQ);
      await this.q(tx, this.lockQ(pi0.id));
      await this.q(tx, findRefundQ);
      await this.q(tx, this.findAttemptQ(attempt.id));
      await this.q(tx, this.updateAttemptQ(attempt.id, { status: "succeeded", pspReference: pspRefund }));
      await this.q(
        tx,
        this.db.update(refunds).set({ status: "succeeded", pspRefundId: pspRefund, updatedAt: new Date() }).where(eq(refunds.id, refundId)).returning().toSQL(),
      );
      await this.updateIntent(tx, pi0, c);
      await this.q(tx, this.journalQ(pi1, "refund", `refund:${refundId}`, [["merchant_payable", amount], ["psp_receivable", -amount]], refundId), true);
      await this.q(tx, this.eventQ("refund.updated", refundId, serializeRefund(done)));
      await this.q(tx, this.eventQ("charge.refunded", pi1.id, serializePaymentIntent(pi1)));
      await this.q(tx, this.completeQ(key, JSON.stringify(serializeRefund(done))));
    });
    await this.maybeReplay(key, path, params);
  }
}

export async function benchRaw(opts: RawOptions): Promise<RawResult> {
  const concurrency = opts.concurrency;
  const database = createDatabase(opts.databaseUrl, { max: concurrency });
  const { db, sql } = database;
  try {
    const { merchantId } = await createMerchant(db, { name: "bench raw ceiling" });
    const accounts = await ensureAccounts(db, merchantId, "usd", ACCOUNT_CODES);
    const r = new Replayer(db, sql, merchantId, accounts, {
      refundShare: opts.refundShare ?? 0.1,
      replayShare: opts.replayShare ?? 0.05,
      prepareAll: opts.prepareAll ?? true,
    });
    const lat = { create: [] as number[], confirm: [] as number[], capture: [] as number[], refund: [] as number[] };
    let lifecycles = 0;
    let measuring = false;
    const one = async () => {
      let t = performance.now();
      const mark = (op: keyof typeof lat) => {
        const now = performance.now();
        if (measuring) lat[op].push(now - t);
        t = now;
      };
      let pi = await r.create();
      mark("create");
      pi = await r.confirm(pi);
      mark("confirm");
      pi = await r.capture(pi);
      mark("capture");
      if (Math.random() < (opts.refundShare ?? 0.1)) {
        await r.refund(pi);
        mark("refund");
      }
    };
    // Warm up: open every connection, let the planner caches fill.
    await Promise.all(Array.from({ length: concurrency }, async () => { for (let i = 0; i < 5; i++) await one(); }));
    r.statements = 0;
    r.transactions = 0;
    await opts.hooks?.beforeMeasure?.();
    measuring = true;
    const started = performance.now();
    const deadline = started + opts.seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          await one();
          lifecycles += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await opts.hooks?.afterMeasure?.();
    return {
      lifecyclesPerSecond: round(lifecycles / elapsed, 1),
      lifecycles,
      seconds: round(elapsed, 2),
      concurrency,
      prepareAll: opts.prepareAll ?? true,
      statementsPerLifecycle: round(r.statements / Math.max(1, lifecycles), 1),
      transactionsPerLifecycle: round(r.transactions / Math.max(1, lifecycles), 2),
      ops: { create: summarize(lat.create), confirm: summarize(lat.confirm), capture: summarize(lat.capture), refund: summarize(lat.refund) },
    };
  } finally {
    await database.close();
  }
}
