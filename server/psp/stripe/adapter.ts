import Stripe from "stripe";
import type {
  BalanceLinesQuery,
  PspBalanceLine,
  AuthorizeRequest,
  AuthorizeResult,
  CancelRequest,
  CancelResult,
  CaptureRequest,
  CaptureResult,
  PspAdapter,
  PspCard,
  PspFailure,
  RefundRequest,
  RefundResult,
  CloseDisputeRequest,
  DisputeResult,
  UpdateDisputeRequest,
} from "../types";
import { disputeSnapshotOf } from "./dispute-map";
import { balanceLineOf, cardFrom, chargeId, feeOf, refundResultOf, snapshotOf } from "./map";

const EXPAND = ["latest_charge.balance_transaction"];
const DISPUTE_EXPAND = ["payment_intent"];

type Declined = { pspChargeId: string | null; card: PspCard | null };
type ErrorClass =
  | { kind: "declined" | "failed"; failure: PspFailure; pspPaymentIntentId: string | null; declined?: Declined }
  | { kind: "unknown"; reason: string };

/**
 * Sorts an SDK exception: card errors and invalid requests are definite answers (nothing happened
 * or it was declined); anything else may have taken effect and must be resolved later.
 */
function classify(e: unknown): ErrorClass {
  if (e instanceof Stripe.errors.StripeCardError) {
    // A decline is a failed charge at the PSP: the error names it and carries the payment method's card.
    const declined = { pspChargeId: e.charge ?? null, card: cardFrom(e.payment_method?.card) };
    return {
      kind: "declined",
      failure: { code: e.code ?? "card_declined", ...(e.decline_code ? { declineCode: e.decline_code } : {}), message: e.message },
      pspPaymentIntentId: e.payment_intent?.id ?? null,
      declined,
    };
  }
  if (e instanceof Stripe.errors.StripeInvalidRequestError || e instanceof Stripe.errors.StripeIdempotencyError) {
    return { kind: "failed", failure: { code: e.code ?? e.type, message: e.message }, pspPaymentIntentId: null };
  }
  if (e instanceof Stripe.errors.StripeError) {
    return { kind: "unknown", reason: `${e.type}${e.statusCode ? ` ${e.statusCode}` : ""}: ${e.message}` };
  }
  return { kind: "unknown", reason: e instanceof Error ? e.message : String(e) };
}

const isUnexpectedState = (e: unknown) => e instanceof Stripe.errors.StripeInvalidRequestError && e.code === "payment_intent_unexpected_state";

/** Maps the PSP intent after a confirmation to the normalized result, with the amounts the PSP reports. */
function authorizeResultOf(pi: Stripe.PaymentIntent): AuthorizeResult {
  const snap = snapshotOf(pi);
  const reported = { amount: snap.amount, currency: snap.currency };
  switch (snap.status) {
    case "authorized":
      return { outcome: "authorized", pspPaymentIntentId: pi.id, pspChargeId: chargeId(pi), amountCapturable: snap.amountCapturable, card: snap.card, ...reported };
    case "captured":
      return { outcome: "captured", pspPaymentIntentId: pi.id, pspChargeId: chargeId(pi), amountCaptured: snap.amountReceived, fee: feeOf(pi), card: snap.card, ...reported };
    case "requires_action":
      return { outcome: "requires_action", pspPaymentIntentId: pi.id, nextAction: snap.nextAction ?? {}, ...reported };
    case "requires_payment_method":
      return { outcome: "declined", pspPaymentIntentId: pi.id, pspChargeId: snap.pspChargeId, card: snap.card, ...(snap.lastError ?? { code: "card_declined", message: "Your card was declined." }) };
    case "cancelled":
      return { outcome: "failed", pspPaymentIntentId: pi.id, code: "payment_intent_canceled", message: "The PSP cancelled this payment." };
    case "requires_confirmation":
    case "processing":
      return { outcome: "unknown", reason: `PSP status ${pi.status}` };
  }
}

export class StripeAdapter implements PspAdapter {
  readonly name = "stripe";
  constructor(private readonly stripe: Stripe) {}

  async authorize(req: AuthorizeRequest): Promise<AuthorizeResult> {
    try {
      const pi = req.pspPaymentIntentId
        ? await this.reconfirm(req, req.pspPaymentIntentId)
        : await this.stripe.paymentIntents.create(
            {
              payment_method: req.paymentMethod,
              expand: EXPAND,
              ...(req.returnUrl ? { return_url: req.returnUrl } : {}),
              amount: Number(req.amount),
              currency: req.currency,
              capture_method: req.captureMethod,
              confirm: true,
              metadata: { payrail_payment_intent: req.paymentIntentId, payrail_merchant: req.merchantId },
            },
            { idempotencyKey: req.idempotencyKey },
          );
      return authorizeResultOf(pi);
    } catch (e) {
      const c = classify(e);
      if (c.kind === "unknown") return { outcome: "unknown", reason: c.reason };
      if (c.kind === "declined") return { outcome: "declined", pspPaymentIntentId: c.pspPaymentIntentId, ...c.declined, ...c.failure };
      return { outcome: "failed", pspPaymentIntentId: c.pspPaymentIntentId, ...c.failure };
    }
  }

  /**
   * Re-confirmation of the PSP intent a declined attempt left behind. Whatever the merchant changed
   * since (amount, currency, capture method, payment method) is sent to the PSP first, so the charge
   * is made on our current terms. Both calls carry keys derived from the attempt's: a retried
   * attempt replays them, never charging twice nor a different amount. When the PSP refuses because
   * its intent already moved on (this attempt's confirm committed and its key expired), its real
   * state is reported instead of a failure.
   */
  private async reconfirm(req: AuthorizeRequest, id: string): Promise<Stripe.PaymentIntent> {
    try {
      await this.stripe.paymentIntents.update(
        id,
        { amount: Number(req.amount), currency: req.currency, capture_method: req.captureMethod, payment_method: req.paymentMethod },
        { idempotencyKey: `${req.idempotencyKey}:update` },
      );
      return await this.stripe.paymentIntents.confirm(
        id,
        { payment_method: req.paymentMethod, expand: EXPAND, ...(req.returnUrl ? { return_url: req.returnUrl } : {}) },
        { idempotencyKey: req.idempotencyKey },
      );
    } catch (e) {
      if (!isUnexpectedState(e)) throw e;
      return this.stripe.paymentIntents.retrieve(id, { expand: EXPAND });
    }
  }

  async capture(req: CaptureRequest): Promise<CaptureResult> {
    try {
      let pi: Stripe.PaymentIntent;
      try {
        pi = await this.stripe.paymentIntents.capture(
          req.pspPaymentIntentId,
          { amount_to_capture: Number(req.amount), expand: EXPAND },
          { idempotencyKey: req.idempotencyKey },
        );
      } catch (e) {
        // Already captured at the PSP (outside Payrail, or this attempt's key expired): report what it holds.
        if (!isUnexpectedState(e)) throw e;
        pi = await this.stripe.paymentIntents.retrieve(req.pspPaymentIntentId, { expand: EXPAND });
        if (pi.status !== "succeeded") throw e;
      }
      if (pi.status !== "succeeded") return { outcome: "unknown", reason: `PSP status ${pi.status} after capture` };
      return { outcome: "captured", amountCaptured: BigInt(pi.amount_received), fee: feeOf(pi), pspChargeId: chargeId(pi), amount: BigInt(pi.amount), currency: pi.currency };
    } catch (e) {
      const c = classify(e);
      return c.kind === "unknown" ? { outcome: "unknown", reason: c.reason } : { outcome: "failed", ...c.failure };
    }
  }

  async cancel(req: CancelRequest): Promise<CancelResult> {
    try {
      const pi = await this.stripe.paymentIntents.cancel(
        req.pspPaymentIntentId,
        req.reason ? { cancellation_reason: req.reason as Stripe.PaymentIntentCancelParams.CancellationReason } : {},
        { idempotencyKey: req.idempotencyKey },
      );
      return pi.status === "canceled"
        ? { outcome: "cancelled", amountReceived: BigInt(pi.amount_received ?? 0), amount: BigInt(pi.amount), currency: pi.currency }
        : { outcome: "unknown", reason: `PSP status ${pi.status} after cancel` };
    } catch (e) {
      const c = classify(e);
      return c.kind === "unknown" ? { outcome: "unknown", reason: c.reason } : { outcome: "failed", ...c.failure };
    }
  }

  async refund(req: RefundRequest): Promise<RefundResult> {
    try {
      const r = await this.stripe.refunds.create(
        { payment_intent: req.pspPaymentIntentId, amount: Number(req.amount), metadata: { payrail_refund: req.refundId } },
        { idempotencyKey: req.idempotencyKey },
      );
      return refundResultOf(r);
    } catch (e) {
      const c = classify(e);
      return c.kind === "unknown" ? { outcome: "unknown", reason: c.reason } : { outcome: "failed", pspRefundId: null, ...c.failure };
    }
  }

  async retrieveRefund(pspRefundId: string): Promise<RefundResult> {
    try {
      return refundResultOf(await this.stripe.refunds.retrieve(pspRefundId));
    } catch (e) {
      // Even "no such refund" is not a final answer about money the PSP may have moved.
      const c = classify(e);
      return { outcome: "unknown", reason: c.kind === "unknown" ? c.reason : `${c.failure.code}: ${c.failure.message}` };
    }
  }

  async retrieve(pspPaymentIntentId: string) {
    try {
      return snapshotOf(await this.stripe.paymentIntents.retrieve(pspPaymentIntentId, { expand: EXPAND }));
    } catch (e) {
      const c = classify(e);
      return { outcome: "unknown" as const, reason: c.kind === "unknown" ? c.reason : c.failure.message };
    }
  }

  /**
   * The SDK's auto-pagination fetches the next page only when the consumer asks for it, so the
   * caller's batch size bounds what is held in memory. Errors end the stream (the run fails and is
   * rerun; every effect is keyed by PSP line).
   */
  async *listBalanceTransactions(q: BalanceLinesQuery): AsyncIterable<PspBalanceLine> {
    const params: Stripe.BalanceTransactionListParams = {
      created: { gte: Math.floor(q.from.getTime() / 1000), lt: Math.floor(q.to.getTime() / 1000) },
      limit: q.pageSize ?? 100,
      expand: ["data.source"],
    };
    for await (const txn of this.stripe.balanceTransactions.list(params)) yield balanceLineOf(txn);
  }

  /** Disputes are read with their payment intent, whose metadata names our payment. */
  private async disputeCall(call: () => Promise<Stripe.Dispute>): Promise<DisputeResult> {
    try {
      return { outcome: "ok", ...disputeSnapshotOf(await call()) };
    } catch (e) {
      const c = classify(e);
      return c.kind === "unknown" ? { outcome: "unknown", reason: c.reason } : { outcome: "failed", ...c.failure };
    }
  }

  retrieveDispute(pspDisputeId: string): Promise<DisputeResult> {
    return this.disputeCall(() => this.stripe.disputes.retrieve(pspDisputeId, { expand: DISPUTE_EXPAND }));
  }

  updateDispute(req: UpdateDisputeRequest): Promise<DisputeResult> {
    return this.disputeCall(() =>
      this.stripe.disputes.update(
        req.pspDisputeId,
        {
          expand: DISPUTE_EXPAND,
          ...(req.evidence ? { evidence: req.evidence as Stripe.DisputeUpdateParams.Evidence } : {}),
          ...(req.metadata ? { metadata: req.metadata } : {}),
          ...(req.submit !== undefined ? { submit: req.submit } : {}),
        },
        { idempotencyKey: req.idempotencyKey },
      ),
    );
  }

  closeDispute(req: CloseDisputeRequest): Promise<DisputeResult> {
    return this.disputeCall(() => this.stripe.disputes.close(req.pspDisputeId, { expand: DISPUTE_EXPAND }, { idempotencyKey: req.idempotencyKey }));
  }
}
