import type { Db, DbOrTx } from "@/db/client";
import { DomainError, isDomainError } from "../errors";
import type { Finalize, Outcome } from "../payments/context";
import { requestHash } from "./hash";
import { complete, findKey, release, tryReserve, tryTakeOver } from "./repository";

export interface StoredResponse {
  status: number;
  body: string;
}

export interface IdempotentRequest {
  merchantId: string;
  key: string;
  method: string;
  path: string;
  params: unknown;
}

export interface RunContext {
  finalize: Finalize;
  /** True when an earlier run of this same request stopped before finishing. */
  resume: boolean;
  /**
   * Stable for this reservation of the key (also across resumed runs), different after the key has
   * been purged and reused: services derive object ids from it so a resumed run finds its own work.
   */
  requestId: string;
}

/** Keys are kept this long, then the purge job removes them in any state (like Stripe's 24 hours). */
export const KEY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** A holder that has not finished in this time is presumed dead and its key may be taken over. */
export const STALE_LOCK_MS = 60_000;

const MAX_KEY_LENGTH = 255;

/**
 * Runs `run` at most once per (merchant, key). The response is stored by `finalize` inside the
 * transaction that makes the effect durable; replays return it byte for byte.
 *  - same key, same request, finished: stored response, replayed = true
 *  - same key, different request: idempotency_key_reused (400)
 *  - same key while the first is running: idempotency_key_in_use (409)
 *  - the run ended without an answer (502 PSP unreachable, 500 unexpected error, crash): the key
 *    becomes resumable and a retry of the same request resumes the recorded work. Once that work is
 *    resolved (by the retry itself or by the recovery sweep), the next retry stores the final
 *    answer. A 500 is released rather than stored: it is mostly a transient database failure, and
 *    the recorded attempt may already have reached the PSP, so the retry must resume it under the
 *    same request id (same object ids) rather than replay an error or start over with new ids.
 *  - keys in every state expire after KEY_RETENTION_MS (purge.ts).
 */
export async function withIdempotency(
  db: Db,
  req: IdempotentRequest,
  render: (outcome: Outcome<unknown>) => StoredResponse,
  run: (ctx: RunContext) => Promise<unknown>,
): Promise<{ response: StoredResponse; replayed: boolean }> {
  if (req.key.length === 0 || req.key.length > MAX_KEY_LENGTH) {
    throw new DomainError("parameter_invalid", `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} characters.`, { param: "Idempotency-Key" });
  }
  const hash = requestHash(req.method, req.path, req.params);
  const reserved = await tryReserve(db, { merchantId: req.merchantId, key: req.key, requestHash: hash, requestPath: `${req.method} ${req.path}` });
  let resume = false;
  let reservedAt = reserved?.createdAt;
  if (!reserved) {
    const existing = await findKey(db, req.merchantId, req.key);
    if (!existing) return withIdempotency(db, req, render, run); // purged between the two statements
    if (existing.requestHash !== hash) {
      throw new DomainError(
        "idempotency_key_reused",
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${req.key}' if you meant to execute a different request.`,
      );
    }
    if (existing.status === "completed") {
      return { response: { status: existing.responseStatus ?? 200, body: existing.responseBody ?? "" }, replayed: true };
    }
    const taken = await tryTakeOver(db, req.merchantId, req.key, new Date(Date.now() - STALE_LOCK_MS));
    if (!taken) {
      throw new DomainError(
        "idempotency_key_in_use",
        `There is currently another in-progress request using this Idempotency-Key ('${req.key}'). Retry after it has completed.`,
      );
    }
    resume = true;
    reservedAt = existing.createdAt;
  }
  const requestId = `${req.key}\u0000${reservedAt!.getTime()}`;

  let stored: StoredResponse | undefined;
  const finalize: Finalize = async (tx: DbOrTx, outcome) => {
    const response = render(outcome);
    await complete(tx, req.merchantId, req.key, response.status, response.body);
    stored = response;
  };

  try {
    const value = await run({ finalize, resume, requestId });
    if (stored) return { response: stored, replayed: false };
    // The operation had nothing to commit (a read-only outcome): store its answer now.
    const response = render({ ok: true, value });
    await complete(db, req.merchantId, req.key, response.status, response.body);
    return { response, replayed: false };
  } catch (e) {
    if (stored) return { response: stored, replayed: false }; // the effect and its answer are durable
    if (isDomainError(e) && e.code !== "psp_unavailable" && e.code !== "internal_error") {
      // A definite answer with no effect (validation, wrong state): remember it like Stripe does.
      const response = render({ ok: false, error: e });
      await complete(db, req.merchantId, req.key, response.status, response.body);
      return { response, replayed: false };
    }
    await release(db, req.merchantId, req.key).catch(() => {});
    throw e;
  }
}
