import { z } from "zod";
import { amount, metadata } from "../payments/schemas";

/** Refund inputs shared by the REST handler and the tRPC procedure. */
export const createRefundInput = z.object({
  payment_intent: z.string().min(3),
  amount: amount.optional(),
  reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]).optional(),
  metadata: metadata.optional(),
});
export type CreateRefundInput = z.infer<typeof createRefundInput>;
