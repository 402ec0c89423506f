import type { DbOrTx } from "@/db/client";
import { recordEvent, type PaymentIntentRow } from "../payments/repository";
import { findCheckoutForIntent, updateCheckoutSession } from "./repository";
import { serializeCheckoutSession } from "./serialize";

/**
 * Called by the payment core inside the transaction that applies a successful authorization: the
 * session of that intent (if any) completes exactly once, with its event.
 */
export async function completeCheckoutForIntent(tx: DbOrTx, pi: PaymentIntentRow): Promise<void> {
  if (pi.status !== "captured" && pi.status !== "authorized") return;
  const s = await findCheckoutForIntent(tx, pi.id, { lock: true });
  if (!s || s.status === "complete") return;
  // A manually captured payment is authorized, not yet paid (Stripe's payment_status stays unpaid).
  const done = await updateCheckoutSession(tx, s.id, { status: "complete", paymentStatus: pi.status === "captured" ? "paid" : "unpaid", completedAt: new Date() });
  await recordEvent(tx, s.merchantId, "checkout.session.completed", s.id, serializeCheckoutSession(done));
}
