/**
 * The contract every PSP adapter implements. Results are normalized: the orchestrator never sees
 * provider objects or provider exceptions. "unknown" means the call may or may not have taken
 * effect (timeout, connection reset, 5xx): the caller must keep the attempt in flight and resolve
 * it later by repeating the call with the same idempotency key or by retrieving the PSP's state.
 */
export interface PspCallContext {
  /** Deterministic per attempt; repeating a call with it never repeats its effect. */
  idempotencyKey: string;
}

export interface AuthorizeRequest extends PspCallContext {
  paymentIntentId: string; // ours, sent as metadata for reconciliation
  merchantId: string;
  amount: bigint;
  currency: string;
  paymentMethod: string;
  captureMethod: "automatic" | "manual";
  returnUrl?: string | null;
  /**
   * Set when the PSP already has an intent for this payment (re-confirmation after a decline): the
   * adapter first brings it up to date (amount, currency, capture method, payment method), then confirms.
   */
  pspPaymentIntentId?: string | null;
}

/** Card details of the PSP's charge (what Stripe reports in payment_method_details.card; never the number). */
export interface PspCard {
  brand: string;
  last4: string | null;
  funding: string | null;
  expMonth: number | null;
  expYear: number | null;
  country: string | null;
}

/**
 * What the PSP itself reports about the money of a result, for comparison with what we recorded
 * (see server/payments/psp-compare.ts). Absent fields were not reported.
 */
export interface PspReported {
  /** The PSP intent's amount (authorize) or the refund's amount (refund), in minor units. */
  amount?: bigint;
  currency?: string;
}

export interface PspFailure {
  code: string;
  declineCode?: string;
  message: string;
}

/** `card` is absent or null when the PSP did not report it. */
export type AuthorizeResult =
  | ({ outcome: "authorized"; pspPaymentIntentId: string; pspChargeId: string | null; amountCapturable: bigint; card?: PspCard | null } & PspReported)
  | ({ outcome: "captured"; pspPaymentIntentId: string; pspChargeId: string | null; amountCaptured: bigint; fee: bigint | null; card?: PspCard | null } & PspReported)
  | ({ outcome: "requires_action"; pspPaymentIntentId: string; nextAction: Record<string, unknown> } & PspReported)
  | ({ outcome: "declined"; pspPaymentIntentId: string | null; pspChargeId?: string | null; card?: PspCard | null } & PspFailure)
  | ({ outcome: "failed"; pspPaymentIntentId: string | null } & PspFailure)
  | { outcome: "unknown"; reason: string };

export interface CaptureRequest extends PspCallContext {
  pspPaymentIntentId: string;
  amount: bigint;
}
export type CaptureResult =
  | ({ outcome: "captured"; amountCaptured: bigint; fee: bigint | null; pspChargeId: string | null } & PspReported)
  | ({ outcome: "failed" } & PspFailure)
  | { outcome: "unknown"; reason: string };

export interface CancelRequest extends PspCallContext {
  pspPaymentIntentId: string;
  reason?: string | null;
}
export type CancelResult =
  | ({ outcome: "cancelled"; /** money the PSP reports as captured on the intent (a cancel must find none) */ amountReceived?: bigint } & PspReported)
  | ({ outcome: "failed" } & PspFailure)
  | { outcome: "unknown"; reason: string };

export interface RefundRequest extends PspCallContext {
  pspPaymentIntentId: string;
  refundId: string;
  amount: bigint;
  reason?: string | null;
}
export type RefundResult =
  | ({ outcome: "succeeded"; pspRefundId: string } & PspReported)
  | ({ outcome: "pending"; pspRefundId: string } & PspReported)
  | ({ outcome: "failed"; pspRefundId: string | null } & PspFailure)
  | { outcome: "unknown"; reason: string };

/** The PSP's view of an intent, for recovery and reconciliation. */
export interface PspIntentSnapshot {
  pspPaymentIntentId: string;
  currency: string;
  status: "requires_payment_method" | "requires_confirmation" | "requires_action" | "processing" | "authorized" | "captured" | "cancelled";
  amount: bigint;
  amountCapturable: bigint;
  amountReceived: bigint;
  pspChargeId: string | null;
  fee: bigint | null;
  card: PspCard | null;
  lastError: PspFailure | null;
  nextAction: Record<string, unknown> | null;
}

/**
 * One line of the PSP's balance report (Stripe's BalanceTransaction), normalized. `source*` come
 * from the expanded source object (the PSP's charge or refund) when the PSP could expand it.
 */
export interface PspBalanceLine {
  id: string;
  /** charge, refund, refund_failure, adjustment, ... as the PSP names it. */
  type: string;
  /** The PSP's charge (ch_), refund (re_) or dispute id that moved the money. */
  source: string;
  amount: bigint;
  fee: bigint;
  net: bigint;
  currency: string;
  created: Date;
  /** Status of the source object at the PSP (a refund can still be pending). */
  sourceStatus: string | null;
  /** Metadata of the source: ours, sent with the call (payrail_payment_intent, payrail_merchant, payrail_refund). */
  sourceMetadata: Record<string, string>;
}

export interface BalanceLinesQuery {
  /** Inclusive lower bound of `created`. */
  from: Date;
  /** Exclusive upper bound of `created`. */
  to: Date;
  pageSize?: number;
}

export interface PspAdapter extends PspDisputes {
  readonly name: string;
  authorize(req: AuthorizeRequest): Promise<AuthorizeResult>;
  capture(req: CaptureRequest): Promise<CaptureResult>;
  cancel(req: CancelRequest): Promise<CancelResult>;
  refund(req: RefundRequest): Promise<RefundResult>;
  retrieve(pspPaymentIntentId: string): Promise<PspIntentSnapshot | { outcome: "unknown"; reason: string }>;
  /** The PSP's current status of a refund it accepted as pending (until webhooks report it). */
  retrieveRefund(pspRefundId: string): Promise<RefundResult>;
  /** Streams the PSP's balance transactions created in [from, to), page by page (never the whole report in memory). */
  listBalanceTransactions(q: BalanceLinesQuery): AsyncIterable<PspBalanceLine>;
}

/** A money movement of a dispute as the PSP booked it (Stripe's balance_transactions on the dispute). */
export interface PspDisputeFunds {
  pspBalanceTransactionId: string;
  /** Positive magnitude of the disputed amount moved. */
  amount: bigint;
  /** Positive magnitude of the dispute fee withheld (withdrawal) or given back (reinstatement). */
  fee: bigint;
}

/** Normalized statuses, the same list as Stripe's (see db/schema/statuses.ts DISPUTE_STATUSES). */
export type PspDisputeStatus =
  | "warning_needs_response"
  | "warning_under_review"
  | "warning_closed"
  | "needs_response"
  | "under_review"
  | "won"
  | "lost"
  | "prevented";

/** The PSP's view of a dispute. The event only says "look again": this is what gets applied. */
export interface PspDisputeSnapshot {
  pspDisputeId: string;
  pspChargeId: string;
  pspPaymentIntentId: string | null;
  /** Our ids from the disputed payment's metadata; null when the payment was not made by Payrail. */
  payrail: { merchantId: string; paymentIntentId: string } | null;
  amount: bigint;
  currency: string;
  reason: string;
  status: PspDisputeStatus;
  evidence: Record<string, string>;
  evidenceDueBy: Date | null;
  hasEvidence: boolean;
  pastDue: boolean;
  submissionCount: number;
  isChargeRefundable: boolean;
  networkReasonCode: string | null;
  metadata: Record<string, string>;
  created: Date;
  withdrawn: PspDisputeFunds | null;
  reinstated: PspDisputeFunds | null;
}

export type DisputeResult = ({ outcome: "ok" } & PspDisputeSnapshot) | ({ outcome: "failed" } & PspFailure) | { outcome: "unknown"; reason: string };

export interface UpdateDisputeRequest extends PspCallContext {
  pspDisputeId: string;
  evidence?: Record<string, string>;
  /** Stripe's metadata update: "" deletes a key. */
  metadata?: Record<string, string>;
  submit?: boolean;
}

export interface CloseDisputeRequest extends PspCallContext {
  pspDisputeId: string;
}

/** Dispute operations, apart from PspAdapter so adapters without disputes stay valid. */
export interface PspDisputes {
  retrieveDispute(pspDisputeId: string): Promise<DisputeResult>;
  updateDispute(req: UpdateDisputeRequest): Promise<DisputeResult>;
  closeDispute(req: CloseDisputeRequest): Promise<DisputeResult>;
}
