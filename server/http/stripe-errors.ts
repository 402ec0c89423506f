import { DomainError, isDomainError } from "../errors";

/** Stripe's error body: { error: { type, code, message, param?, decline_code?, ... } }. */
export function stripeErrorBody(e: DomainError): Record<string, unknown> {
  return {
    error: {
      type: e.stripeType,
      code: e.code,
      message: e.message,
      ...(e.details.param ? { param: e.details.param } : {}),
      ...(e.details.declineCode ? { decline_code: e.details.declineCode } : {}),
      ...e.details.extra,
    },
  };
}

export const INTERNAL_ERROR_MESSAGE = "An unexpected error occurred. The request may be retried with the same Idempotency-Key.";

/** Anything that is not a DomainError becomes a generic 500; its details stay in the logs. */
export function toDomainError(e: unknown): DomainError {
  if (isDomainError(e)) return e;
  return new DomainError("internal_error", INTERNAL_ERROR_MESSAGE);
}
