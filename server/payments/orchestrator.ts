import type { DbOrTx } from "@/db/client";
import { pipelined } from "@/db/pipelined";
import { DomainError } from "../errors";
import { derivedId, newId } from "../ids";
import { normalizeCurrency, parseAmountMinor } from "../money/money";
import type { AuthorizeResult, CancelResult, CaptureResult } from "../psp/types";
import {
  applyAuthorizeResult,
  applyCancelResult,
  applyCaptureResult,
  requireIntent,
  type Applied,
} from "./apply";
import { newClientSecret } from "./client-secret";
import { refreshRequiresAction } from "./authentication";
import { crashAfterPsp } from "./crash-hook";
import { finish, type CallOptions, type Outcome, type PaymentsContext } from "./context";
import {
  findPaymentIntent,
  findPendingAttempt,
  insertAttempt,
  insertPaymentIntent,
  recordEvent,
  supersedeActionAttempts,
  updatePaymentIntent,
  type AttemptRow,
  type PaymentIntentRow,
} from "./repository";
import type {
  CreatePaymentIntentInput,
  ConfirmPaymentIntentInput,
  UpdatePaymentIntentInput,
} from "./schemas";
import { serializePaymentIntent } from "./serialize";
import { transition } from "./state-machine";
import type { CaptureMethod, PaymentStatus } from "@/db/schema/statuses";

const captureMethodOf = (raw: string | undefined): CaptureMethod => (raw === "manual" ? "manual" : "automatic");

/** Deterministic PSP key per attempt: repeating the call never repeats its effect at the PSP. */
const pspKey = (attempt: { id: string }) => `payrail_${attempt.id}`;

/** Unwraps an applied outcome: returns the value or throws the domain error (already finalized). */
function settle<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

// ---------------------------------------------------------------- create / update

export async function createPaymentIntent(
  ctx: PaymentsContext,
  merchantId: string,
  input: CreatePaymentIntentInput,
  opts: CallOptions = {},
): Promise<PaymentIntentRow> {
  const amount = parseAmountMinor(input.amount);
  const currency = normalizeCurrency(input.currency);
  if (input.confirm && !input.payment_method) {
    throw new DomainError("parameter_missing", "You must provide a payment_method when confirm=true.", { param: "payment_method" });
  }
  // Derived from the request, so a resumed create-and-confirm finds the intent it created.
  const id = opts.requestKey ? derivedId("pi", merchantId, opts.requestKey) : newId("pi");
  if (opts.resume) {
    const existing = await findPaymentIntent(ctx.db, merchantId, id);
    if (existing) {
      return input.confirm ? confirmPaymentIntent(ctx, merchantId, id, { return_url: input.return_url }, opts) : answerResumed(ctx, existing, opts);
    }
  }
  const created = await ctx.db.transaction(async (tx) => {
    const pi = await insertPaymentIntent(tx, {
      id,
      merchantId,
      amount,
      currency,
      status: input.payment_method ? "requires_confirmation" : "created",
      captureMethod: captureMethodOf(input.capture_method),
      paymentMethod: input.payment_method ?? null,
      paymentMethodType: input.payment_method ? "card" : null,
      description: input.description ?? null,
      metadata: input.metadata ?? {},
      returnUrl: input.return_url ?? null,
      clientSecret: newClientSecret(id),
      customer: input.customer ?? null,
      receiptEmail: input.receipt_email ?? null,
      statementDescriptor: input.statement_descriptor ?? null,
      statementDescriptorSuffix: input.statement_descriptor_suffix ?? null,
      shipping: input.shipping ?? null,
    });
    await pipelined([
      recordEvent(tx, merchantId, "payment_intent.created", pi.id, serializePaymentIntent(pi)),
      input.confirm ? undefined : finish(tx, opts, { ok: true, value: pi }),
    ]);
    return pi;
  });
  if (!input.confirm) return created;
  return confirmPaymentIntent(ctx, merchantId, created.id, { return_url: input.return_url }, opts);
}

export async function updatePaymentIntentDetails(
  ctx: PaymentsContext,
  merchantId: string,
  id: string,
  input: UpdatePaymentIntentInput,
  opts: CallOptions = {},
): Promise<PaymentIntentRow> {
  return ctx.db.transaction(async (tx) => {
    const pi = await requireIntent(tx, merchantId, id, { lock: true });
    const changes: Parameters<typeof updatePaymentIntent>[2] = {};
    const touchesPayment = input.amount !== undefined || input.currency !== undefined || input.payment_method !== undefined || input.capture_method !== undefined;
    let status = pi.status;
    if (touchesPayment) {
      // Amount, currency and method can only change before confirmation.
      const asked = (["amount", "currency", "payment_method", "capture_method"] as const).filter((k) => input[k] !== undefined);
      status = transition(pi.status, "attach_payment_method", pi.id, asked);
      if (!input.payment_method && !pi.paymentMethod) status = pi.status;
    }
    if (input.amount !== undefined) changes.amount = parseAmountMinor(input.amount);
    if (input.currency !== undefined) changes.currency = normalizeCurrency(input.currency);
    if (input.capture_method !== undefined) changes.captureMethod = captureMethodOf(input.capture_method);
    if (input.payment_method !== undefined) {
      changes.paymentMethod = input.payment_method;
      changes.paymentMethodType = "card";
    }
    if (input.description !== undefined) changes.description = input.description;
    if (input.metadata !== undefined) changes.metadata = mergeMetadata(pi.metadata, input.metadata);
    if (input.customer !== undefined) changes.customer = input.customer;
    if (input.receipt_email !== undefined) changes.receiptEmail = input.receipt_email;
    if (input.statement_descriptor !== undefined) changes.statementDescriptor = input.statement_descriptor;
    if (input.statement_descriptor_suffix !== undefined) changes.statementDescriptorSuffix = input.statement_descriptor_suffix;
    if (input.shipping !== undefined) changes.shipping = input.shipping;
    changes.status = status;
    const updated = await updatePaymentIntent(tx, pi, changes);
    await finish(tx, opts, { ok: true, value: updated });
    return updated;
  });
}

/** Stripe semantics: an empty value removes a key. */
function mergeMetadata(current: Record<string, string>, patch: Record<string, string>): Record<string, string> {
  const next = { ...current, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === "") delete next[k];
  return next;
}

// ---------------------------------------------------------------- confirm (authorize)

export function confirmPaymentIntent(
  ctx: PaymentsContext,
  merchantId: string,
  id: string,
  input: ConfirmPaymentIntentInput,
  opts: CallOptions = {},
): Promise<PaymentIntentRow> {
  return confirm(ctx, merchantId, id, input, opts, false);
}

async function confirm(
  ctx: PaymentsContext,
  merchantId: string,
  id: string,
  input: ConfirmPaymentIntentInput,
  opts: CallOptions,
  authenticationChecked: boolean,
): Promise<PaymentIntentRow> {
  // Transaction 1: record the attempt and move to authorizing before any network call.
  const started = await ctx.db.transaction(async (tx) => {
    const pi = await requireIntent(tx, merchantId, id, { lock: true });
    const resumed = await resumeStep(tx, pi, "authorize", opts);
    if (resumed) return resumed;
    if (pi.status === "requires_action" && !authenticationChecked) return { kind: "authenticate", pi } satisfies Step;
    const paymentMethod = input.payment_method ?? pi.paymentMethod;
    const status = transition(pi.status, "confirm", pi.id);
    if (!paymentMethod) {
      throw new DomainError("parameter_missing", `You cannot confirm ${pi.id} without a payment method. Pass payment_method.`, { param: "payment_method" });
    }
    const [, attempt, updated] = await pipelined([
      pi.status === "requires_action" ? supersedeActionAttempts(tx, pi.id) : undefined,
      newAttempt(tx, pi, "authorize", pi.amount, { paymentMethod }),
      updatePaymentIntent(tx, pi, {
        status,
        paymentMethod,
        paymentMethodType: "card",
        captureMethod: input.capture_method ? captureMethodOf(input.capture_method) : pi.captureMethod,
        returnUrl: input.return_url ?? pi.returnUrl,
        lastPaymentError: null,
        nextAction: null,
      }),
    ]);
    return { kind: "call", pi: updated, attempt } satisfies Step;
  });
  if (started.kind !== "authenticate") return continueStep(ctx, started, runAuthorization, opts);
  // Confirming an intent that requires action re-checks the PSP (as Stripe does): a finished
  // challenge is applied once and answered; only one still open is replaced by a new confirmation.
  const checked = await refreshRequiresAction(ctx, merchantId, id);
  if (checked.ok && checked.value.status === "requires_action") return confirm(ctx, merchantId, id, input, opts, true);
  await ctx.db.transaction((tx) => finish(tx, opts, checked));
  return settle(checked);
}

/**
 * Persist -> call -> apply, second half: call the PSP outside any transaction with the attempt's
 * deterministic key, then apply the answer (state, ledger, event, stored response) in one
 * transaction. No answer leaves the attempt pending for a same-key retry or recovery.
 */
async function callThenApply<R extends { outcome: string }>(
  ctx: PaymentsContext,
  pi: PaymentIntentRow,
  call: () => Promise<R>,
  apply: (tx: DbOrTx, result: Exclude<R, { outcome: "unknown" }>) => Promise<Applied>,
  opts: CallOptions,
): Promise<PaymentIntentRow> {
  const result = await call();
  if (isUnknown(result)) throw pspUnavailable(pi.id, result.reason);
  const outcome = await ctx.db.transaction(async (tx) => {
    const applied = await apply(tx, result as Exclude<R, { outcome: "unknown" }>);
    await finish(tx, opts, applied);
    return applied;
  });
  return settle(outcome);
}

const isUnknown = (r: { outcome: string }): r is { outcome: "unknown"; reason: string } => r.outcome === "unknown";

export function runAuthorization(ctx: PaymentsContext, pi: PaymentIntentRow, attempt: AttemptRow, opts: CallOptions = {}) {
  return callThenApply(
    ctx,
    pi,
    (): Promise<AuthorizeResult> =>
      crashAfterPsp("authorize", ctx.psp.authorize({
        idempotencyKey: attempt.pspIdempotencyKey,
        paymentIntentId: pi.id,
        merchantId: pi.merchantId,
        amount: attempt.amount,
        currency: attempt.currency,
        paymentMethod: attempt.paymentMethod ?? "",
        captureMethod: pi.captureMethod,
        returnUrl: pi.returnUrl,
        pspPaymentIntentId: pi.pspPaymentIntentId,
      })),
    (tx, result) => applyAuthorizeResult(tx, pi.merchantId, pi.id, attempt.id, result),
    opts,
  );
}

// ---------------------------------------------------------------- capture

export async function capturePaymentIntent(
  ctx: PaymentsContext,
  merchantId: string,
  id: string,
  input: { amount_to_capture?: number | string | bigint },
  opts: CallOptions = {},
): Promise<PaymentIntentRow> {
  const started = await ctx.db.transaction(async (tx) => {
    const pi = await requireIntent(tx, merchantId, id, { lock: true });
    const resumed = await resumeStep(tx, pi, "capture", opts);
    if (resumed) return resumed;
    const status = transition(pi.status, "capture", pi.id);
    const amount = input.amount_to_capture === undefined ? pi.amountCapturable : parseAmountMinor(input.amount_to_capture, "amount_to_capture");
    if (amount > pi.amountCapturable) {
      throw new DomainError(
        "amount_too_large",
        `The amount_to_capture (${amount}) is greater than the amount capturable (${pi.amountCapturable}) of ${pi.id}.`,
        { param: "amount_to_capture" },
      );
    }
    const [attempt, updated] = await pipelined([newAttempt(tx, pi, "capture", amount), updatePaymentIntent(tx, pi, { status })]);
    return { kind: "call", pi: updated, attempt } satisfies Step;
  });
  return continueStep(ctx, started, runCapture, opts);
}

export function runCapture(ctx: PaymentsContext, pi: PaymentIntentRow, attempt: AttemptRow, opts: CallOptions = {}) {
  return callThenApply(
    ctx,
    pi,
    (): Promise<CaptureResult> =>
      crashAfterPsp("capture", ctx.psp.capture({ idempotencyKey: attempt.pspIdempotencyKey, pspPaymentIntentId: requirePspId(pi), amount: attempt.amount })),
    (tx, result) => applyCaptureResult(tx, pi.merchantId, pi.id, attempt.id, result),
    opts,
  );
}

// ---------------------------------------------------------------- cancel

export async function cancelPaymentIntent(
  ctx: PaymentsContext,
  merchantId: string,
  id: string,
  input: { cancellation_reason?: string },
  opts: CallOptions = {},
): Promise<PaymentIntentRow> {
  const started = await ctx.db.transaction(async (tx) => {
    const pi = await requireIntent(tx, merchantId, id, { lock: true });
    const resumed = await resumeStep(tx, pi, "cancel", opts);
    if (resumed) return resumed;
    const status = transition(pi.status, "cancel", pi.id);
    const reason = input.cancellation_reason ?? null;
    if (status === "cancelled") {
      // Nothing is held at the PSP yet: cancel locally in one transaction.
      const updated = await updatePaymentIntent(tx, pi, { status, cancellationReason: reason, nextAction: null });
      await recordEvent(tx, merchantId, "payment_intent.canceled", updated.id, serializePaymentIntent(updated));
      await finish(tx, opts, { ok: true, value: updated });
      return { kind: "done", pi: updated } satisfies Step;
    }
    const [attempt, updated] = await pipelined([
      newAttempt(tx, pi, "cancel", pi.amountCapturable),
      updatePaymentIntent(tx, pi, { status, cancellationReason: reason }),
    ]);
    return { kind: "call", pi: updated, attempt } satisfies Step;
  });
  return continueStep(ctx, started, runCancel, opts);
}

export function runCancel(ctx: PaymentsContext, pi: PaymentIntentRow, attempt: AttemptRow, opts: CallOptions = {}) {
  return callThenApply(
    ctx,
    pi,
    (): Promise<CancelResult> =>
      crashAfterPsp("cancel", ctx.psp.cancel({ idempotencyKey: attempt.pspIdempotencyKey, pspPaymentIntentId: requirePspId(pi), reason: pi.cancellationReason })),
    (tx, result) => applyCancelResult(tx, pi.merchantId, pi.id, attempt.id, result),
    opts,
  );
}

// ---------------------------------------------------------------- helpers

/** Where the first transaction of an operation left it. */
type Step =
  | { kind: "call"; pi: PaymentIntentRow; attempt: AttemptRow } // a PSP call to make (or finish)
  | { kind: "resolved"; pi: PaymentIntentRow } // a resumed request whose work is already done
  | { kind: "authenticate"; pi: PaymentIntentRow } // ask the PSP about a 3-D Secure challenge first
  | { kind: "done"; pi: PaymentIntentRow }; // finished without a PSP call

/**
 * For each PSP operation: the in-flight status it leaves behind, and the statuses in which the
 * work of an interrupted request was already completed by someone else (recovery, a webhook).
 */
const RESUMABLE: Record<"authorize" | "capture" | "cancel", { inFlight: PaymentStatus; resolved: readonly PaymentStatus[] }> = {
  authorize: {
    inFlight: "authorizing",
    resolved: ["authorized", "captured", "requires_action", "requires_payment_method", "partially_refunded", "refunded", "disputed"],
  },
  capture: { inFlight: "capturing", resolved: ["captured", "partially_refunded", "refunded", "disputed"] },
  cancel: { inFlight: "cancelling", resolved: ["cancelled"] },
};

/** A resumed request continues its pending attempt, or answers with the state it already reached. */
async function resumeStep(tx: DbOrTx, pi: PaymentIntentRow, kind: keyof typeof RESUMABLE, opts: CallOptions): Promise<Step | undefined> {
  if (!opts.resume) return undefined;
  const { inFlight, resolved } = RESUMABLE[kind];
  if (pi.status === inFlight) {
    const pending = await findPendingAttempt(tx, pi.id, kind);
    if (pending) return { kind: "call", pi, attempt: pending };
  }
  return resolved.includes(pi.status) ? { kind: "resolved", pi } : undefined;
}

function continueStep(
  ctx: PaymentsContext,
  step: Step,
  run: (ctx: PaymentsContext, pi: PaymentIntentRow, attempt: AttemptRow, opts: CallOptions) => Promise<PaymentIntentRow>,
  opts: CallOptions,
): Promise<PaymentIntentRow> {
  switch (step.kind) {
    case "call":
      return run(ctx, step.pi, step.attempt, opts);
    case "authenticate":
    case "resolved":
      return answerResumed(ctx, step.pi, opts);
    case "done":
      return Promise.resolve(step.pi);
  }
}

async function answerResumed(ctx: PaymentsContext, pi: PaymentIntentRow, opts: CallOptions): Promise<PaymentIntentRow> {
  await ctx.db.transaction((tx) => finish(tx, opts, { ok: true, value: pi }));
  return pi;
}

export async function newAttempt(
  tx: DbOrTx,
  pi: PaymentIntentRow,
  kind: AttemptRow["kind"],
  amount: bigint,
  extra: { refundId?: string; paymentMethod?: string | null } = {},
): Promise<AttemptRow> {
  const id = newId("pa");
  return insertAttempt(tx, {
    id,
    merchantId: pi.merchantId,
    paymentIntentId: pi.id,
    refundId: extra.refundId ?? null,
    kind,
    status: "pending",
    amount,
    currency: pi.currency,
    paymentMethod: extra.paymentMethod ?? pi.paymentMethod,
    pspIdempotencyKey: pspKey({ id }),
  });
}

function requirePspId(pi: PaymentIntentRow): string {
  if (!pi.pspPaymentIntentId) throw new DomainError("internal_error", `${pi.id} has no PSP reference.`);
  return pi.pspPaymentIntentId;
}

export function pspUnavailable(id: string, reason: string): DomainError {
  return new DomainError(
    "psp_unavailable",
    `The payment processor did not answer for ${id}; the attempt is recorded and will be resolved. Retry with the same Idempotency-Key.`,
    { log: { pspReason: reason.slice(0, 200) } }, // the PSP's raw text stays in our log
  );
}

