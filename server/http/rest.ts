import type { z } from "zod";
import type { Db } from "@/db/client";
import { getDatabase } from "@/server/db";
import { DomainError } from "../errors";
import { newRequestId } from "../ids";
import { withIdempotency, type StoredResponse } from "../idempotency/with-idempotency";
import { safeErrorLog } from "../log-safe";
import { logger } from "../logger";
import { resolveApiKey, type ApiKeyKind } from "../merchants/api-keys";
import type { CallOptions, Outcome, PaymentsContext } from "../payments/context";
import { getPsp } from "../psp";
import { runInRequest } from "../request-context";
import { readBodyText } from "./body";
import { findInputProblem, hasUnsafeCharacters, isSafePath, MAX_INPUT_DEPTH } from "./input-guard";
import { refuseLiveKeyWithoutPsp } from "./live-keys";
import { decodeForm, FormDecodeError } from "./stripe-form";
import { stripeErrorBody, toDomainError } from "./stripe-errors";

export interface RestContext extends PaymentsContext {
  merchantId: string;
  url: URL;
  /** publishable only on routes that opted in (what Stripe.js may do); they must check the client_secret. */
  keyKind: ApiKeyKind;
}

/** Routes callable with a publishable key opt in; every other route refuses one. */
export interface RouteOptions {
  publishable?: boolean;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

function respond(res: StoredResponse, extra: Record<string, string> = {}): Response {
  return new Response(res.body, { status: res.status, headers: { ...JSON_HEADERS, ...extra } });
}

function errorResponse(e: unknown, request: Request, requestId: string): Response {
  let err = toDomainError(e);
  const where = { requestId, method: request.method, path: new URL(request.url).pathname };
  if (err.code === "internal_error") {
    // Never the error's message: database errors quote the query's parameters (the request's data).
    logger.error({ ...where, err: safeErrorLog(e) }, "unhandled error in merchant API");
    err = new DomainError("internal_error", `${err.message} (request ${requestId})`);
  } else if (err.details.log) {
    logger.warn({ ...where, code: err.code, ...err.details.log }, "merchant API request ended without an answer");
  }
  return respond({ status: err.httpStatus, body: JSON.stringify(stripeErrorBody(err)) });
}

/**
 * Every merchant API request: a Request-Id header and one structured log line (never the body,
 * the key or card data: only method, path, status, merchant and timing).
 */
async function served(request: Request, work: (seen: { merchantId?: string }) => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const requestId = newRequestId();
  const seen: { merchantId?: string } = {};
  const info = { requestId, idempotencyKey: request.headers.get("idempotency-key") };
  const response = await checkUrl(request)
    .then(() => runInRequest(info, () => work(seen)))
    .catch((e: unknown) => errorResponse(e, request, requestId));
  response.headers.set("request-id", requestId);
  logger.info(
    {
      requestId,
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      merchantId: seen.merchantId,
      replayed: response.headers.has("idempotent-replayed") || undefined,
      ms: Math.round(performance.now() - started),
    },
    "merchant api request",
  );
  return response;
}

/** Ids in the path and query parameters are compared with stored text: refuse what no stored value can be. */
async function checkUrl(request: Request): Promise<void> {
  const url = new URL(request.url);
  if (!isSafePath(url.pathname)) {
    throw new DomainError("resource_missing", "No such object: the URL path is not valid UTF-8 text.");
  }
  for (const [name, value] of url.searchParams) {
    if (hasUnsafeCharacters(name) || hasUnsafeCharacters(value)) throw unsafeParam(name);
  }
}

const unsafeParam = (param: string | undefined) =>
  new DomainError("parameter_invalid", `Invalid ${param ?? "request"}: strings may not contain NUL bytes or unpaired UTF-16 surrogates.`, param ? { param } : {});

async function authenticate(request: Request, db: Db, options: RouteOptions): Promise<{ merchantId: string; kind: ApiKeyKind }> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  const key = match?.[1] ?? (basic ? Buffer.from(basic[1]!, "base64").toString().split(":")[0] : undefined);
  if (!key) throw new DomainError("unauthorized", "You did not provide an API key. Use Authorization: Bearer sk_test_...");
  refuseLiveKeyWithoutPsp(key);
  const resolved = await resolveApiKey(db, key);
  if (!resolved) throw new DomainError("api_key_invalid", "Invalid API Key provided.");
  if (resolved.kind === "publishable" && !options.publishable) {
    throw new DomainError("secret_key_required", "This API call cannot be made with a publishable API key. Please use a secret API key.");
  }
  return resolved;
}

/** Stripe clients send form bodies with bracket notation; JSON is accepted too. Limits: see body.ts, stripe-form.ts, input-guard.ts. */
export async function readParams(request: Request): Promise<Record<string, unknown>> {
  const text = await readBodyText(request);
  if (!text) return {};
  const type = request.headers.get("content-type") ?? "";
  let params: Record<string, unknown>;
  if (type.includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      throw new DomainError("parameter_invalid", "The request body is not a valid JSON object.");
    }
    params = parsed as Record<string, unknown>;
  } else {
    try {
      params = decodeForm(text);
    } catch (e) {
      if (e instanceof FormDecodeError) throw new DomainError("parameter_invalid", e.message, e.param ? { param: e.param } : {});
      throw e;
    }
  }
  const problem = findInputProblem(params);
  if (problem?.reason === "depth") {
    throw new DomainError("parameter_invalid", `The request body nests objects more than ${MAX_INPUT_DEPTH} levels deep.`, problem.param ? { param: problem.param } : {});
  }
  if (problem?.reason === "key") {
    throw new DomainError("parameter_invalid", `Invalid ${problem.param}: reserved key name.`, problem.param ? { param: problem.param } : {});
  }
  if (problem) throw unsafeParam(problem.param);
  return params;
}

export function parseInput<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.path.map(String).join(".") || undefined;
  const given = issue.path.reduce<unknown>((node, k) => (node && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[k] : undefined), params);
  const code = given === undefined ? "parameter_missing" : "parameter_invalid";
  const message = code === "parameter_missing" ? `Missing required param: ${param}.` : `Invalid ${param ?? "request"}: ${issue.message}`;
  throw new DomainError(code, message, param ? { param } : {});
}

async function context(request: Request, options: RouteOptions): Promise<RestContext> {
  const { db } = getDatabase();
  const { merchantId, kind } = await authenticate(request, db, options);
  return { db, psp: getPsp(), merchantId, keyKind: kind, url: new URL(request.url) };
}

/** GET handlers: authenticate, run, serialize. */
export function handleGet(request: Request, run: (ctx: RestContext) => Promise<unknown>, options: RouteOptions = {}): Promise<Response> {
  return served(request, async (seen) => {
    const ctx = await context(request, options);
    seen.merchantId = ctx.merchantId;
    return respond({ status: 200, body: JSON.stringify(await run(ctx)) });
  });
}

/**
 * POST handlers: authenticate, parse and validate (nothing stored for invalid input), then run the
 * operation once per Idempotency-Key with its response stored atomically with its effect.
 */
export function handlePost<S extends z.ZodType, T>(
  request: Request,
  schema: S,
  run: (ctx: RestContext, input: z.infer<S>, opts: CallOptions) => Promise<T>,
  serialize: (value: T) => unknown,
  options: RouteOptions = {},
): Promise<Response> {
  return served(request, async (seen) => {
    const ctx = await context(request, options);
    seen.merchantId = ctx.merchantId;
    const params = await readParams(request);
    const input = parseInput(schema, params);
    const key = request.headers.get("idempotency-key");
    if (key === null) {
      // No key, nothing stored: the operation runs once with fresh object ids, like Stripe without a key.
      return respond({ status: 200, body: JSON.stringify(serialize(await run(ctx, input, {}))) });
    }
    const render = (outcome: Outcome<unknown>): StoredResponse =>
      outcome.ok
        ? { status: 200, body: JSON.stringify(serialize(outcome.value as T)) }
        : { status: outcome.error.httpStatus, body: JSON.stringify(stripeErrorBody(outcome.error)) };
    const { response, replayed } = await withIdempotency(
      ctx.db,
      { merchantId: ctx.merchantId, key, method: "POST", path: ctx.url.pathname, params },
      render,
      ({ finalize, resume, requestId }) => run(ctx, input, { finalize, resume, requestKey: requestId }),
    );
    return respond(response, replayed ? { "idempotent-replayed": "true" } : {});
  });
}

/**
 * Stripe's answer to a path or method it does not serve: a JSON 404 invalid_request_error naming
 * the method and path, never Next's HTML 404 page or an empty 405. The /v1 catch-all route exports
 * it for every method, and each /v1 route for the methods it does not implement.
 */
export function handleUnrecognized(request: Request): Promise<Response> {
  return served(request, async () => {
    throw new DomainError("resource_missing", `Unrecognized request URL (${request.method}: ${new URL(request.url).pathname}).`);
  });
}
