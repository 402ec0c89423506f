import { z } from "zod";
import {
  cancelPaymentIntent,
  capturePaymentIntent,
  confirmPaymentIntent,
  createPaymentIntent,
} from "../../payments/orchestrator";
import { getPaymentIntent, getRefund, listPaymentIntentsPage } from "../../payments/queries";
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
const byId = z.object({ id: z.string().min(3) });

/** Thin procedures over the same services the REST API calls. */
export const paymentsRouter = router({
  list: merchantProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(20), startingAfter: z.string().optional() }))
    .query(({ ctx, input }) =>
      listPaymentIntentsPage(ctx, new URLSearchParams({ limit: String(input.limit), ...(input.startingAfter ? { starting_after: input.startingAfter } : {}) })),
    ),
  get: merchantProcedure.input(byId).query(({ ctx, input }) => getPaymentIntent(ctx, input.id)),
  create: merchantProcedure
    .input(createPaymentIntentInput.extend(key))
    .mutation(({ ctx, input: { idempotencyKey, ...params } }) =>
      idempotentMutation(ctx, "payments.create", idempotencyKey, params, (o) => createPaymentIntent(ctx, ctx.merchantId, params, o), serializePaymentIntent),
    ),
  confirm: merchantProcedure
    .input(confirmPaymentIntentInput.extend({ ...key, id: z.string() }))
    .mutation(({ ctx, input: { idempotencyKey, id, ...params } }) =>
      idempotentMutation(ctx, "payments.confirm", idempotencyKey, { id, ...params }, (o) => confirmPaymentIntent(ctx, ctx.merchantId, id, params, o), serializePaymentIntent),
    ),
  capture: merchantProcedure
    .input(capturePaymentIntentInput.extend({ ...key, id: z.string() }))
    .mutation(({ ctx, input: { idempotencyKey, id, ...params } }) =>
      idempotentMutation(ctx, "payments.capture", idempotencyKey, { id, ...params }, (o) => capturePaymentIntent(ctx, ctx.merchantId, id, params, o), serializePaymentIntent),
    ),
  cancel: merchantProcedure
    .input(cancelPaymentIntentInput.extend({ ...key, id: z.string() }))
    .mutation(({ ctx, input: { idempotencyKey, id, ...params } }) =>
      idempotentMutation(ctx, "payments.cancel", idempotencyKey, { id, ...params }, (o) => cancelPaymentIntent(ctx, ctx.merchantId, id, params, o), serializePaymentIntent),
    ),
  refund: merchantProcedure
    .input(createRefundInput.extend(key))
    .mutation(({ ctx, input: { idempotencyKey, ...params } }) =>
      idempotentMutation(ctx, "payments.refund", idempotencyKey, params, (o) => createRefund(ctx, ctx.merchantId, params, o), serializeRefund),
    ),
  getRefund: merchantProcedure.input(byId).query(({ ctx, input }) => getRefund(ctx, input.id)),
});
