import type { PaymentStatus } from "@/db/schema/statuses";

/** Stripe's public PaymentIntent statuses, the ones the merchant API shows. */
export type StripeIntentStatus =
  | "requires_payment_method"
  | "requires_confirmation"
  | "requires_action"
  | "processing"
  | "requires_capture"
  | "canceled"
  | "succeeded";

export function toStripeStatus(status: PaymentStatus): StripeIntentStatus {
  switch (status) {
    case "created":
    case "requires_payment_method":
      return "requires_payment_method";
    case "requires_confirmation":
      return "requires_confirmation";
    case "requires_action":
      return "requires_action";
    case "authorizing":
    case "capturing":
    case "cancelling":
      return "processing";
    case "authorized":
      return "requires_capture";
    case "captured":
    case "partially_refunded":
    case "refunded":
    case "disputed":
      return "succeeded";
    case "cancelled":
    case "failed": // terminal: cannot be confirmed again
      return "canceled";
  }
}
