import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { DomainError, type ErrorCode, isDomainError } from "../errors";
import { INTERNAL_ERROR_MESSAGE } from "../http/stripe-errors";
import { safeErrorLog } from "../log-safe";
import { logger } from "../logger";

type TrpcCode = TRPCError["code"];

/** The REST API's HTTP statuses as tRPC codes: a client sees the same status for the same failure. */
const TRPC_CODE_BY_STATUS: Record<number, TrpcCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  402: "PAYMENT_REQUIRED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  500: "INTERNAL_SERVER_ERROR",
  502: "BAD_GATEWAY",
};

/** REST error codes for errors tRPC raises itself (input validation, missing credentials). */
const DOMAIN_CODE_BY_TRPC: Partial<Record<TrpcCode, ErrorCode>> = {
  BAD_REQUEST: "parameter_invalid",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "resource_missing",
  PAYLOAD_TOO_LARGE: "request_too_large",
  INTERNAL_SERVER_ERROR: "internal_error",
};

/**
 * The one conversion of what a procedure threw into what its caller may see. Domain errors keep
 * their message and get the REST status; anything unexpected becomes the REST API's generic
 * internal error naming the request id, and its details (class, SQL state, frames; never the
 * message, which quotes query parameters) go to the log under that id.
 */
export function toClientTrpcError(error: TRPCError, requestId: string, path?: string): TRPCError {
  const cause = error.cause;
  if (isDomainError(cause) && cause.code !== "internal_error") {
    if (cause.details.log) logger.warn({ requestId, path, code: cause.code, ...cause.details.log }, "tRPC request ended without an answer");
    return new TRPCError({ code: TRPC_CODE_BY_STATUS[cause.httpStatus] ?? "INTERNAL_SERVER_ERROR", message: cause.message, cause });
  }
  if (!isDomainError(cause) && error.code !== "INTERNAL_SERVER_ERROR") return error; // tRPC's own: input validation, UNAUTHORIZED
  logger.error({ requestId, path, err: safeErrorLog(cause ?? error) }, "unhandled error in tRPC procedure");
  const message = `${isDomainError(cause) ? cause.message : INTERNAL_ERROR_MESSAGE} (request ${requestId})`;
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message, cause: new DomainError("internal_error", message) });
}

interface ShapeIn {
  code: number;
  data: { code: TrpcCode; httpStatus: number; path?: string };
}

/** What a client receives: message, codes, HTTP status, the REST error code and param, the request id; never a stack. */
export function formatTrpcError(shape: ShapeIn, error: TRPCError, requestId: string | undefined) {
  // Errors raised outside the conversion middleware (context creation) are converted here.
  const converted = isDomainError(error.cause) || error.code !== "INTERNAL_SERVER_ERROR";
  const safe = converted ? error : toClientTrpcError(error, requestId ?? "unknown", shape.data.path);
  const cause = safe.cause;
  const domainCode = isDomainError(cause) ? cause.code : cause instanceof ZodError ? "parameter_invalid" : (DOMAIN_CODE_BY_TRPC[safe.code] ?? null);
  return {
    message: safe.message,
    code: shape.code,
    data: {
      code: shape.data.code,
      httpStatus: shape.data.httpStatus,
      path: shape.data.path ?? null,
      domainCode,
      param: isDomainError(cause) ? (cause.details.param ?? null) : null,
      requestId: requestId ?? null,
    },
  };
}
