import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Db } from "@/db/client";
import { getDatabase } from "@/server/db";
import { DomainError } from "../errors";
import { withIdempotency, type StoredResponse } from "../idempotency/with-idempotency";
import { logger } from "../logger";
import { merchantForApiKey } from "../merchants/api-keys";
import type { CallOptions, Outcome, PaymentsContext } from "../payments/context";
import { getPsp } from "../psp";
import { decodeForm } from "./stripe-form";
import { stripeErrorBody, toDomainError } from "./stripe-errors";

export interface RestContext extends PaymentsContext {
  merchantId: string;
  url: URL;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

function respond(res: StoredResponse, extra: Record<string, string> = {}): Response {
  return new Response(res.body, { status: res.status, headers: { ...JSON_HEADERS, ...extra } });
}

function errorResponse(e: unknown, requestId: string): Response {
  const err = toDomainError(e);
  if (err.code === "internal_error") logger.error({ requestId, err: e }, "unhandled error in merchant API");
  return respond({ status: err.httpStatus, body: JSON.stringify(stripeErrorBody(err)) });
}

/**
 * Every merchant API request: a Request-Id header and one structured log line (never the body,
 * the key or card data: only method, path, status, merchant and timing).
 */
async function served(request: Request, work: (seen: { merchantId?: string }) => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const requestId = `req_${randomUUID().replaceAll("-", "")}`;
  const seen: { merchantId?: string } = {};
  const response = await work(seen).catch((e: unknown) => errorResponse(e, requestId));
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

async function authenticate(request: Request, db: Db): Promise<string> {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  const key = match?.[1] ?? (basic ? Buffer.from(basic[1]!, "base64").toString().split(":")[0] : undefined);
  if (!key) throw new DomainError("unauthorized", "You did not provide an API key. Use Authorization: Bearer sk_test_...");
  const merchantId = await merchantForApiKey(db, key);
  if (!merchantId) throw new DomainError("api_key_invalid", "Invalid API Key provided.");
  return merchantId;
}

/** Stripe clients send form bodies with bracket notation; JSON is accepted too. */
export async function readParams(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (!text) return {};
  const type = request.headers.get("content-type") ?? "";
  if (type.includes("application/json")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      /* fall through */
    }
    throw new DomainError("parameter_invalid", "The request body is not a valid JSON object.");
  }
  return decodeForm(text);
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

async function context(request: Request): Promise<RestContext> {
  const { db } = getDatabase();
  const merchantId = await authenticate(request, db);
  return { db, psp: getPsp(), merchantId, url: new URL(request.url) };
}

/** GET handlers: authenticate, run, serialize. */
export function handleGet(request: Request, run: (ctx: RestContext) => Promise<unknown>): Promise<Response> {
  return served(request, async (seen) => {
    const ctx = await context(request);
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
): Promise<Response> {
  return served(request, async (seen) => {
    const ctx = await context(request);
    seen.merchantId = ctx.merchantId;
    const params = await readParams(request);
    const input = parseInput(schema, params);
    const key = request.headers.get("idempotency-key") ?? `auto_${randomUUID()}`;
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
