import { z } from "zod";
import { CAPTURE_METHODS } from "@/db/schema/statuses";

/** Inputs shared by the REST handlers, tRPC procedures and jobs. Amounts arrive as integers or digit strings. */
export const amount = z.union([z.number().int(), z.string().regex(/^\d+$/, "must be an integer"), z.bigint()]);
/** Stripe's limits: at most 50 keys, keys 1-40 characters, values up to 500; never a prototype key. */
const metadataKey = z
  .string()
  .min(1, "metadata keys may not be empty")
  .max(40)
  .refine((k) => k !== "__proto__", "__proto__ is not a valid metadata key");
export const metadata = z
  .record(metadataKey, z.union([z.string().max(500), z.number()]).transform(String))
  .refine((m) => Object.keys(m).length <= 50, "at most 50 keys");
const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);
/** Where the customer is sent after authentication: https, or http on the developer's own machine; never javascript: or data:. */
const returnUrl = z
  .string()
  .max(2048)
  .refine((raw) => {
    if (!URL.canParse(raw)) return false;
    const url = new URL(raw);
    return url.protocol === "https:" || (url.protocol === "http:" && LOCAL_HOSTS.has(url.hostname));
  }, "must be an https URL (http only for localhost or 127.0.0.1)");
export const bool = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
const paymentMethod = z.string().min(3).max(255);

/** Stripe's limits: descriptors are at most 22 characters, without < > \ ' " and not only digits. */
const descriptor = z
  .string()
  .max(22)
  .regex(/^[^<>\\'"*]*$/, "must not contain < > \\ ' \" *")
  .refine((v) => !/^\d+$/.test(v), "must contain at least one letter");
const address = z.object({
  city: z.string().max(200).optional(),
  country: z.string().max(2).optional(),
  line1: z.string().max(200).optional(),
  line2: z.string().max(200).optional(),
  postal_code: z.string().max(20).optional(),
  state: z.string().max(200).optional(),
});
const shipping = z.object({
  name: z.string().min(1).max(200),
  address,
  carrier: z.string().max(200).optional(),
  phone: z.string().max(40).optional(),
  tracking_number: z.string().max(200).optional(),
});
/** Fields Payrail stores and shows but does not act on yet (customer is an opaque id). */
const payerFields = {
  customer: z.string().min(1).max(255).optional(),
  receipt_email: z.email().max(320).optional(),
  statement_descriptor: descriptor.optional(),
  statement_descriptor_suffix: descriptor.optional(),
  shipping: shipping.optional(),
};
/** On update, Stripe's empty string unsets a field. */
const unsettable = <T extends z.ZodType>(s: T) => z.union([z.literal("").transform(() => null), s]).optional();

export const createPaymentIntentInput = z.object({
  amount,
  currency: z.string().min(3).max(3),
  capture_method: z.enum([...CAPTURE_METHODS, "automatic_async"]).optional(),
  payment_method: paymentMethod.optional(),
  confirm: bool.optional(),
  description: z.string().max(1000).optional(),
  metadata: metadata.optional(),
  return_url: returnUrl.optional(),
  payment_method_types: z.array(z.string()).optional(),
  ...payerFields,
});
export type CreatePaymentIntentInput = z.infer<typeof createPaymentIntentInput>;

export const updatePaymentIntentInput = z.object({
  amount: amount.optional(),
  currency: z.string().min(3).max(3).optional(),
  payment_method: paymentMethod.optional(),
  description: z.string().max(1000).optional(),
  metadata: metadata.optional(),
  capture_method: z.enum([...CAPTURE_METHODS, "automatic_async"]).optional(),
  customer: unsettable(payerFields.customer.unwrap()),
  receipt_email: unsettable(payerFields.receipt_email.unwrap()),
  statement_descriptor: unsettable(payerFields.statement_descriptor.unwrap()),
  statement_descriptor_suffix: unsettable(payerFields.statement_descriptor_suffix.unwrap()),
  shipping: unsettable(shipping),
});
export type UpdatePaymentIntentInput = z.infer<typeof updatePaymentIntentInput>;

export const confirmPaymentIntentInput = z.object({
  payment_method: paymentMethod.optional(),
  /** Sent by Stripe.js (publishable key); checked, never stored. */
  client_secret: z.string().max(255).optional(),
  return_url: returnUrl.optional(),
  capture_method: z.enum([...CAPTURE_METHODS, "automatic_async"]).optional(),
});
export type ConfirmPaymentIntentInput = z.infer<typeof confirmPaymentIntentInput>;

export const capturePaymentIntentInput = z.object({ amount_to_capture: amount.optional() });
export const cancelPaymentIntentInput = z.object({
  cancellation_reason: z.enum(["duplicate", "fraudulent", "requested_by_customer", "abandoned"]).optional(),
});

export const listInput = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
});
