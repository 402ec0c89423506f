/**
 * Domain errors and their one mapping to transport. Services throw DomainError;
 * the REST helper and the tRPC middleware translate codes, nothing else does.
 */
export const ERROR_CODES = {
  // code: [http status, stripe error type]
  parameter_invalid: [400, "invalid_request_error"],
  parameter_missing: [400, "invalid_request_error"],
  amount_too_small: [400, "invalid_request_error"],
  amount_too_large: [400, "invalid_request_error"],
  currency_invalid: [400, "invalid_request_error"],
  payment_intent_unexpected_state: [400, "invalid_request_error"],
  invalid_transition: [400, "invalid_request_error"],
  charge_already_refunded: [400, "invalid_request_error"],
  dispute_unexpected_state: [400, "invalid_request_error"],
  resource_missing: [404, "invalid_request_error"],
  idempotency_key_reused: [400, "idempotency_error"],
  idempotency_key_in_use: [409, "idempotency_error"],
  card_declined: [402, "card_error"],
  authentication_required: [402, "card_error"],
  api_key_invalid: [401, "invalid_request_error"],
  unauthorized: [401, "invalid_request_error"],
  secret_key_required: [401, "invalid_request_error"],
  forbidden: [403, "invalid_request_error"],
  request_too_large: [413, "invalid_request_error"],
  psp_unavailable: [502, "api_error"],
  internal_error: [500, "api_error"],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetails {
  param?: string;
  declineCode?: string;
  /** Extra fields merged into the REST error body (e.g. the payment_intent on a decline). */
  extra?: Record<string, unknown>;
  /** Internal context (e.g. the PSP's raw error text): logged with the request id, never sent to the client. */
  log?: Record<string, unknown>;
}

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.details = details;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code][0];
  }
  get stripeType(): string {
    return ERROR_CODES[this.code][1];
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
