/** Stripe-shaped API errors. Handlers throw SimError; the server renders `{ error: body }`. */

export type StripeErrorType = "api_error" | "card_error" | "idempotency_error" | "invalid_request_error";

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Record<string, unknown>;
  payment_method?: Record<string, unknown>;
}

export interface SimErrorOptions {
  /** Whether an idempotency key may store this result for replay (Stripe skips validation failures). */
  storable?: boolean;
  headers?: Record<string, string>;
}

export class SimError extends Error {
  readonly storable: boolean;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    opts: SimErrorOptions = {},
  ) {
    super(body.message);
    this.name = "SimError";
    this.storable = opts.storable ?? true;
    this.headers = opts.headers ?? {};
  }
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`;
}

export function missingParam(param: string): SimError {
  return new SimError(
    400,
    { type: "invalid_request_error", code: "parameter_missing", param, message: `Missing required param: ${param}.`, doc_url: docUrl("parameter_missing") },
    { storable: false },
  );
}

export function invalidParam(param: string, message: string, code?: string): SimError {
  const body: StripeErrorBody = { type: "invalid_request_error", param, message };
  if (code) body.code = code;
  return new SimError(400, body, { storable: false });
}

/** `No such payment_intent: 'pi_x'`. 404 on the object's own URL, 400 when referenced from a parameter. */
export function resourceMissing(kind: string, id: string, param: string, status: 400 | 404 = 404): SimError {
  return new SimError(
    status,
    { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${kind}: '${id}'`, doc_url: docUrl("resource_missing") },
    { storable: status === 404 },
  );
}

export function invalidRequest(code: string, message: string, param?: string): SimError {
  const body: StripeErrorBody = { type: "invalid_request_error", code, message, doc_url: docUrl(code) };
  if (param) body.param = param;
  return new SimError(400, body);
}

export function unexpectedState(message: string, paymentIntent?: Record<string, unknown>): SimError {
  const body: StripeErrorBody = {
    type: "invalid_request_error",
    code: "payment_intent_unexpected_state",
    message,
    doc_url: docUrl("payment_intent_unexpected_state"),
  };
  if (paymentIntent) body.payment_intent = paymentIntent;
  return new SimError(400, body);
}

export function notFoundRoute(method: string, path: string): SimError {
  return new SimError(
    404,
    { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.` },
    { storable: false },
  );
}

export function authError(message: string): SimError {
  return new SimError(401, { type: "invalid_request_error", message }, { storable: false });
}

export function apiError(message = "An unknown error occurred (simulated)."): SimError {
  return new SimError(500, { type: "api_error", message }, { storable: false, headers: { "Stripe-Should-Retry": "true" } });
}

export function errorJson(err: SimError): string {
  return JSON.stringify({ error: err.body });
}
