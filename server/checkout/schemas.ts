import { z } from "zod";

/** Form bodies give `line_items[0][...]` as an array or an object keyed by index; JSON gives an array. */
const indexed = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.values(v) : v), z.array(item));

const digits = z.union([z.number().int(), z.string().regex(/^\d{1,18}$/, "must be an integer")]).transform((v) => BigInt(v));
const quantity = z.union([z.number().int(), z.string().regex(/^\d{1,9}$/, "must be an integer")]).transform(Number);
const metadata = z
  .record(z.string().min(1).max(40).refine((k) => k !== "__proto__"), z.union([z.string().max(500), z.number()]).transform(String))
  .refine((m) => Object.keys(m).length <= 50, "at most 50 keys");
/** Where the customer goes after paying or leaving: an absolute http(s) URL, never javascript: or data:. */
const redirectUrl = z
  .string()
  .max(5000)
  .refine((raw) => URL.canParse(raw.replaceAll("{CHECKOUT_SESSION_ID}", "x")) && /^https?:$/.test(new URL(raw.replaceAll("{CHECKOUT_SESSION_ID}", "x")).protocol), "must be an absolute http or https URL");

const lineItem = z.object({
  price: z.string().optional(),
  price_data: z.object({
    currency: z.string().min(3).max(3),
    unit_amount: digits,
    product_data: z.object({ name: z.string().trim().min(1).max(250), description: z.string().max(500).optional() }),
  }),
  quantity: quantity.refine((q) => q >= 1 && q <= 999_999, "must be between 1 and 999999"),
});

export const createCheckoutSessionInput = z.object({
  mode: z.literal("payment", { error: "only mode=payment is supported" }),
  line_items: indexed(lineItem).refine((l) => l.length >= 1 && l.length <= 100, "between 1 and 100 line items"),
  success_url: redirectUrl.optional(),
  cancel_url: redirectUrl.optional(),
  customer_email: z.email().max(320).optional(),
  metadata: metadata.optional(),
  payment_intent_data: z
    .object({
      capture_method: z.enum(["automatic", "automatic_async", "manual"]).optional(),
      description: z.string().max(1000).optional(),
    })
    .optional(),
  expires_at: z.union([z.number().int(), z.string().regex(/^\d{1,12}$/)]).transform(Number).optional(),
  payment_method_types: indexed(z.literal("card")).optional(),
});
export type CreateCheckoutSessionInput = z.infer<typeof createCheckoutSessionInput>;

export const expireCheckoutSessionInput = z.object({});

/** What the hosted page sends: a PSP payment method id (never card data) and the customer's email. */
export const payCheckoutInput = z.object({
  payment_method: z.string().regex(/^pm_[A-Za-z0-9_]{1,100}$/, "must be a payment method id"),
  email: z.email().max(320).optional(),
});
