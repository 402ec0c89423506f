/**
 * Internal payment intent statuses. The database enum and the state machine share this list.
 * A refused authorization returns the intent to requires_payment_method (as at Stripe);
 * "failed" is only for a PSP result that cannot be booked (see server/payments/psp-compare.ts).
 */
export const PAYMENT_STATUSES = [
  "created", // no payment method yet
  "requires_payment_method", // a previous attempt was declined; a new method is needed
  "requires_confirmation", // a payment method is attached, not yet confirmed
  "requires_action", // the customer must authenticate (3-D Secure)
  "authorizing", // an authorization call to the PSP is in flight
  "authorized", // funds are held, awaiting capture
  "capturing", // a capture call to the PSP is in flight
  "captured",
  "partially_refunded",
  "refunded",
  "cancelling", // a void call to the PSP is in flight
  "cancelled",
  "failed", // terminal: the PSP's result could not be booked; a finance exception holds both sides
  "disputed",
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const CAPTURE_METHODS = ["automatic", "manual"] as const;
export type CaptureMethod = (typeof CAPTURE_METHODS)[number];

export const ATTEMPT_KINDS = ["authorize", "capture", "cancel", "refund"] as const;
export type AttemptKind = (typeof ATTEMPT_KINDS)[number];

/**
 * pending: recorded, PSP outcome not yet applied (or, for a refund the PSP accepted as pending, its
 * final status not yet known); requires_action: the customer must authenticate; exhausted: recovery
 * gave up after its bounded tries and a finance exception holds the last PSP answer.
 */
export const ATTEMPT_STATUSES = ["pending", "succeeded", "failed", "requires_action", "exhausted"] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

export const REFUND_STATUSES = ["pending", "succeeded", "failed"] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** What a finance exception says: the PSP and our records disagree, or an attempt could not be resolved. */
export const EXCEPTION_KINDS = [
  "amount_mismatch",
  "currency_mismatch",
  "status_mismatch",
  "fee_mismatch",
  "missing_on_our_side",
  "missing_at_psp",
  "duplicate",
  "recovery_exhausted",
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** Where the disagreement was found. */
export const EXCEPTION_SOURCES = ["psp_result", "recovery", "reconciliation"] as const;
export type ExceptionSource = (typeof EXCEPTION_SOURCES)[number];

export const EXCEPTION_STATUSES = ["open", "resolved", "ignored"] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

/** Stripe's Charge statuses. */
export const CHARGE_STATUSES = ["pending", "succeeded", "failed"] as const;
export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

/** The balance transaction types Payrail produces (a subset of Stripe's; disputes are adjustments). */
export const BALANCE_TRANSACTION_TYPES = ["charge", "refund", "adjustment"] as const;
export type BalanceTransactionType = (typeof BALANCE_TRANSACTION_TYPES)[number];

/** Stripe's Checkout Session statuses. */
export const CHECKOUT_SESSION_STATUSES = ["open", "complete", "expired"] as const;
export type CheckoutSessionStatus = (typeof CHECKOUT_SESSION_STATUSES)[number];
export const CHECKOUT_PAYMENT_STATUSES = ["unpaid", "paid"] as const;
export type CheckoutPaymentStatus = (typeof CHECKOUT_PAYMENT_STATUSES)[number];

/** Stripe's dispute statuses (warning_* are inquiries, which move no money). */
export const DISPUTE_STATUSES = [
  "warning_needs_response",
  "warning_under_review",
  "warning_closed",
  "needs_response",
  "under_review",
  "won",
  "lost",
  "prevented",
] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Dashboard roles at a merchant, most powerful first (server/auth/access.ts says what each may do). */
export const MEMBER_ROLES = ["owner", "admin", "developer", "finance", "support", "viewer"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];
