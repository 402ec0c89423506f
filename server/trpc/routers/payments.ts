import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { PaymentIntentRow } from "../../payments/repository";
import { audited } from "../../audit/record";
import { findUserPasswordHash } from "../../auth/membership";
import { verifyPassword } from "../../auth/password";
import { paymentListInput } from "../../dashboard/payment-filters";
import { paymentDetail } from "../../dashboard/payment-detail";
import { listPaymentsForDashboard } from "../../dashboard/payments-list";
import { refundReauthAboveMinor } from "../../dashboard/refund-reauth";
import { cancelPaymentIntent, capturePaymentIntent, confirmPaymentIntent, createPaymentIntent } from "../../payments/orchestrator";
import { getPaymentIntent, getRefund } from "../../payments/queries";
import { findPaymentIntent } from "../../payments/repository";
import { committedRefundTotal } from "../../refunds/repository";
import {
  cancelPaymentIntentInput,
  capturePaymentIntentInput,
  confirmPaymentIntentInput,
  createPaymentIntentInput,
} from "../../payments/schemas";
import { serializePaymentIntent, serializeRefund } from "../../payments/serialize";
import { createRefundInput } from "../../refunds/schemas";
import { createRefund } from "../../refunds/service";
import { idempotentMutation } from "../idempotent";
import { merchantProcedure, router } from "../init";

const key = { idempotencyKey: z.string().min(1).max(255) };
const byId = z.object({ id: z.string().min(3).max(255) });

/** The dashboard never hands out a client secret (it lets its holder act as the customer). */
const withoutSecret = <T extends { client_secret?: unknown }>({ client_secret: _, ...rest }: T) => rest;

/** What the audit log keeps of a payment before and after a person's action. */
const snapshot = (pi: PaymentIntentRow | undefined) =>
  pi
    ? { status: pi.status, amount: pi.amount.toString(), amount_capturable: pi.amountCapturable.toString(), amount_received: pi.amountReceived.toString(), amount_refunded: pi.amountRefunded.toString(), currency: pi.currency }
    : null;

/**
 * Thin procedures over the same services the REST API calls. Who may call each: ACCESS in
 * server/auth/access.ts (merchantProcedure enforces it); the merchant always comes from the session.
 */
export const paymentsRouter = router({
  list: merchantProcedure.input(paymentListInput).query(({ ctx, input }) => listPaymentsForDashboard(ctx.db, ctx.merchantId, input)),
  get: merchantProcedure.input(byId).query(async ({ ctx, input }) => withoutSecret(await getPaymentIntent(ctx, input.id))),
  detail: merchantProcedure.input(byId).query(({ ctx, input }) => paymentDetail(ctx.db, ctx.merchantId, ctx.member.role, input.id)),
  create: merchantProcedure
    .input(createPaymentIntentInput.extend(key))
    .mutation(async ({ ctx, input: { idempotencyKey, ...params } }) => {
      const pi = await audited(ctx, "payments.create", null, async () => null, () =>
        idempotentMutation(ctx, "payments.create", idempotencyKey, params, (o) => createPaymentIntent(ctx, ctx.merchantId, params, o), serializePaymentIntent),
      );
      return withoutSecret(pi);
    }),
  confirm: merchantProcedure
    .input(confirmPaymentIntentInput.extend({ ...key, id: z.string() }))
    .mutation(async ({ ctx, input: { idempotencyKey, id, ...params } }) =>
      withoutSecret(
        await audited(ctx, "payments.confirm", id, async () => snapshot(await findPaymentIntent(ctx.db, ctx.merchantId, id)), () =>
          idempotentMutation(ctx, "payments.confirm", idempotencyKey, { id, ...params }, (o) => confirmPaymentIntent(ctx, ctx.merchantId, id, params, o), serializePaymentIntent),
        ),
      ),
    ),
  capture: merchantProcedure
    .input(capturePaymentIntentInput.extend({ ...key, id: z.string() }))
    .mutation(async ({ ctx, input: { idempotencyKey, id, ...params } }) =>
      withoutSecret(
        await audited(ctx, "payments.capture", id, async () => snapshot(await findPaymentIntent(ctx.db, ctx.merchantId, id)), () =>
          idempotentMutation(ctx, "payments.capture", idempotencyKey, { id, ...params }, (o) => capturePaymentIntent(ctx, ctx.merchantId, id, params, o), serializePaymentIntent),
        ),
      ),
    ),
  cancel: merchantProcedure
    .input(cancelPaymentIntentInput.extend({ ...key, id: z.string() }))
    .mutation(async ({ ctx, input: { idempotencyKey, id, ...params } }) =>
      withoutSecret(
        await audited(ctx, "payments.cancel", id, async () => snapshot(await findPaymentIntent(ctx.db, ctx.merchantId, id)), () =>
          idempotentMutation(ctx, "payments.cancel", idempotencyKey, { id, ...params }, (o) => cancelPaymentIntent(ctx, ctx.merchantId, id, params, o), serializePaymentIntent),
        ),
      ),
    ),
  /** Refunds above REFUND_REAUTH_ABOVE need the person's password again (checked before anything is recorded). */
  refund: merchantProcedure
    .input(createRefundInput.extend({ ...key, password: z.string().max(1024).optional() }))
    .mutation(async ({ ctx, input: { idempotencyKey, password, ...params } }) => {
      const id = params.payment_intent;
      return audited(ctx, "payments.refund", id, async () => snapshot(await findPaymentIntent(ctx.db, ctx.merchantId, id)), async () => {
        const pi = await findPaymentIntent(ctx.db, ctx.merchantId, id);
        if (pi) {
          const amount = params.amount !== undefined ? BigInt(params.amount) : pi.amountReceived - (await committedRefundTotal(ctx.db, pi.id));
          if (amount > refundReauthAboveMinor(pi.currency)) {
            const ok = password !== undefined && (await verifyPassword(await findUserPasswordHash(ctx.db, ctx.member.userId), password));
            if (!ok) throw new TRPCError({ code: "FORBIDDEN", message: "Refunds of this size need your password: enter it to confirm." });
          }
        }
        return idempotentMutation(ctx, "payments.refund", idempotencyKey, params, (o) => createRefund(ctx, ctx.merchantId, params, o), serializeRefund);
      });
    }),
  getRefund: merchantProcedure.input(byId).query(({ ctx, input }) => getRefund(ctx, input.id)),
});
