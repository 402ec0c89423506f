import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import {
  ATTEMPT_KINDS,
  ATTEMPT_STATUSES,
  CAPTURE_METHODS,
  PAYMENT_STATUSES,
  REFUND_STATUSES,
} from "./statuses";
import { currency, minor, timestamps } from "./columns";
import { merchants } from "./merchants";

export const paymentStatus = pgEnum("payment_status", PAYMENT_STATUSES);
export const captureMethod = pgEnum("capture_method", CAPTURE_METHODS);
export const attemptKind = pgEnum("attempt_kind", ATTEMPT_KINDS);
export const attemptStatus = pgEnum("attempt_status", ATTEMPT_STATUSES);
export const refundStatus = pgEnum("refund_status", REFUND_STATUSES);

export const paymentIntents = pgTable(
  "payment_intents",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    amount: minor("amount").notNull(),
    currency: currency().notNull(),
    status: paymentStatus("status").notNull(),
    captureMethod: captureMethod("capture_method").notNull(),
    paymentMethod: text("payment_method"),
    paymentMethodType: text("payment_method_type"),
    amountCapturable: minor("amount_capturable").notNull().default(sql`0`),
    amountReceived: minor("amount_received").notNull().default(sql`0`),
    amountRefunded: minor("amount_refunded").notNull().default(sql`0`),
    description: text("description"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    returnUrl: text("return_url"),
    lastPaymentError: jsonb("last_payment_error").$type<Record<string, unknown> | null>(),
    nextAction: jsonb("next_action").$type<Record<string, unknown> | null>(),
    cancellationReason: text("cancellation_reason"),
    pspPaymentIntentId: text("psp_payment_intent_id"),
    pspChargeId: text("psp_charge_id"),
    /** Our charge (charges.id) of the latest authorization attempt: Stripe's latest_charge. */
    latestChargeId: text("latest_charge_id"),
    /** `<id>_secret_<random>`: lets a publishable-key client (hosted checkout) act on this intent only. Never logged. */
    clientSecret: text("client_secret"),
    /** Opaque customer id supplied by the merchant (no customer objects yet). */
    customer: text("customer"),
    receiptEmail: text("receipt_email"),
    statementDescriptor: text("statement_descriptor"),
    statementDescriptorSuffix: text("statement_descriptor_suffix"),
    shipping: jsonb("shipping").$type<Record<string, unknown> | null>(),
    /** Bumped on every state change; optimistic guard for concurrent writers. */
    version: integer("version").notNull().default(1),
    ...timestamps(),
  },
  (t) => [
    index("payment_intents_merchant_created_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    check("payment_intents_amount_positive", sql`${t.amount} > 0`),
    check(
      "payment_intents_amounts_consistent",
      sql`${t.amountReceived} >= 0 and ${t.amountRefunded} >= 0 and ${t.amountCapturable} >= 0 and ${t.amountReceived} <= ${t.amount} and ${t.amountRefunded} <= ${t.amountReceived} and ${t.amountCapturable} <= ${t.amount}`,
    ),
  ],
);

/** One row per call to the PSP, written before the call (persist -> call -> apply). */
export const paymentAttempts = pgTable(
  "payment_attempts",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    paymentIntentId: text("payment_intent_id").notNull().references(() => paymentIntents.id),
    refundId: text("refund_id"),
    kind: attemptKind("kind").notNull(),
    status: attemptStatus("status").notNull(),
    amount: minor("amount").notNull(),
    currency: currency().notNull(),
    paymentMethod: text("payment_method"),
    /** Deterministic key sent to the PSP so a retried call never charges twice. */
    pspIdempotencyKey: text("psp_idempotency_key").notNull(),
    pspReference: text("psp_reference"),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    /** How often recovery has tried to resolve this attempt. */
    recoveryTries: integer("recovery_tries").notNull().default(0),
    /** When recovery looks at it next (backoff); null: recovery no longer looks (retrieve and confirm still do). */
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).defaultNow(),
    /** The PSP's last answer to recovery (error class and message, or its status), kept for finance. */
    lastPspAnswer: jsonb("last_psp_answer").$type<Record<string, unknown> | null>(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("payment_attempts_psp_key_uq").on(t.pspIdempotencyKey),
    index("payment_attempts_intent_idx").on(t.paymentIntentId),
    index("payment_attempts_due_idx").on(t.nextAttemptAt).where(sql`${t.status} in ('pending','requires_action')`),
    check("payment_attempts_amount_nonneg", sql`${t.amount} >= 0`),
  ],
);

export const refunds = pgTable(
  "refunds",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    paymentIntentId: text("payment_intent_id").notNull().references(() => paymentIntents.id),
    amount: minor("amount").notNull(),
    currency: currency().notNull(),
    status: refundStatus("status").notNull(),
    reason: text("reason"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    pspRefundId: text("psp_refund_id"),
    /** The charge refunded (the intent's latest charge when the refund was created). */
    chargeId: text("charge_id"),
    failureReason: text("failure_reason"),
    ...timestamps(),
  },
  (t) => [
    index("refunds_merchant_created_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    index("refunds_intent_idx").on(t.paymentIntentId),
    index("refunds_psp_refund_idx").on(t.pspRefundId).where(sql`${t.pspRefundId} is not null`),
    check("refunds_amount_positive", sql`${t.amount} > 0`),
  ],
);
