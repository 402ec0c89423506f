import { DomainError, type ErrorCode } from "../errors";
import { withIdempotency } from "../idempotency/with-idempotency";
import type { CallOptions, Outcome, PaymentsContext } from "../payments/context";

interface StoredTrpcOutcome {
  ok: boolean;
  value?: unknown;
  error?: { code: ErrorCode; message: string; details: DomainError["details"] };
}

/**
 * Runs a mutation once per idempotency key, exactly like the REST API (same table, same rules),
 * and replays its stored result or error.
 */
export async function idempotentMutation<T, O>(
  ctx: PaymentsContext & { merchantId: string },
  procedure: string,
  idempotencyKey: string,
  params: unknown,
  run: (opts: CallOptions) => Promise<T>,
  serialize: (value: T) => O,
): Promise<O> {
  const render = (outcome: Outcome<unknown>) => {
    const stored: StoredTrpcOutcome = outcome.ok
      ? { ok: true, value: serialize(outcome.value as T) }
      : { ok: false, error: { code: outcome.error.code, message: outcome.error.message, details: outcome.error.details } };
    return { status: outcome.ok ? 200 : outcome.error.httpStatus, body: JSON.stringify(stored) };
  };
  const { response } = await withIdempotency(
    ctx.db,
    { merchantId: ctx.merchantId, key: idempotencyKey, method: "TRPC", path: procedure, params },
    render,
    ({ finalize, resume, requestId }) => run({ finalize, resume, requestKey: requestId }),
  );
  const stored = JSON.parse(response.body) as StoredTrpcOutcome;
  if (!stored.ok && stored.error) throw new DomainError(stored.error.code, stored.error.message, stored.error.details);
  // Stored as JSON of serialize's output (plain JSON values), so the replay has the same shape.
  return stored.value as O;
}
