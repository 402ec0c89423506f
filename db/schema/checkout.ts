import { sql } from "drizzle-orm";
import { check, index, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { currency, minor, timestamps } from "./columns";
import { merchants } from "./merchants";
import { paymentIntents } from "./payments";
import { CHECKOUT_PAYMENT_STATUSES, CHECKOUT_SESSION_STATUSES } from "./statuses";

export const checkoutSessionStatus = pgEnum("checkout_session_status", CHECKOUT_SESSION_STATUSES);
export const checkoutPaymentStatus = pgEnum("checkout_payment_status", CHECKOUT_PAYMENT_STATUSES);

/** One line of a session as the merchant sent it; amounts computed on the server (minor units, decimal strings in JSON). */
export interface CheckoutLineItem {
  id: string;
  name: string;
  currency: string;
  unitAmount: string;
  quantity: number;
  amountTotal: string;
}

/** A Checkout Session: the hosted page a customer pays through; its payment is an ordinary payment intent. */
export const checkoutSessions = pgTable(
  "checkout_sessions",
  {
    id: text("id").primaryKey(),
    merchantId: text("merchant_id").notNull().references(() => merchants.id),
    /** The secret part of the hosted page's URL; the page answers 404 for any other value. */
    urlToken: text("url_token").notNull(),
    status: checkoutSessionStatus("status").notNull(),
    paymentStatus: checkoutPaymentStatus("payment_status").notNull(),
    amountTotal: minor("amount_total").notNull(),
    currency: currency().notNull(),
    lineItems: jsonb("line_items").$type<CheckoutLineItem[]>().notNull(),
    paymentIntentId: text("payment_intent_id").notNull().references(() => paymentIntents.id),
    successUrl: text("success_url"),
    cancelUrl: text("cancel_url"),
    customerEmail: text("customer_email"),
    /** The email the customer typed on the page (Stripe's customer_details.email). */
    customerDetailsEmail: text("customer_details_email"),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("checkout_sessions_url_token_uq").on(t.urlToken),
    uniqueIndex("checkout_sessions_payment_intent_uq").on(t.paymentIntentId),
    index("checkout_sessions_merchant_created_idx").on(t.merchantId, t.createdAt.desc(), t.id.desc()),
    index("checkout_sessions_open_expiry_idx").on(t.expiresAt).where(sql`${t.status} = 'open'`),
    check("checkout_sessions_amount_positive", sql`${t.amountTotal} > 0`),
  ],
);
