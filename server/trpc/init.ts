import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { findInputProblem } from "../http/input-guard";
import { refuseLiveKeyWithoutPsp } from "../http/live-keys";
import { merchantForApiKey } from "../merchants/api-keys";
import type { TrpcContext } from "./context";
import { formatTrpcError, toClientTrpcError } from "./errors";

export type { TrpcContext } from "./context";

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error, ctx }) => formatTrpcError(shape, error, ctx?.requestId),
});

/** The one place that maps what procedures throw to tRPC errors (see errors.ts). */
const errorConversion = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (!result.ok) throw toClientTrpcError(result.error, ctx.requestId, path);
  return result;
});

/** Same rule as the REST API: strings that PostgreSQL cannot store, or absurd nesting, are a 400 before any work. */
const inputGuard = t.middleware(async ({ getRawInput, next }) => {
  const problem = findInputProblem(await getRawInput());
  if (problem) {
    const what = problem.reason === "depth" ? "nests objects too deeply" : "contains NUL bytes, unpaired UTF-16 surrogates or a __proto__ key";
    throw new TRPCError({ code: "BAD_REQUEST", message: `Invalid ${problem.param ?? "input"}: the input ${what}.` });
  }
  return next();
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorConversion).use(inputGuard);

/** Narrows the context to a merchant; missing or unknown credentials are UNAUTHORIZED. */
export const merchantProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (ctx.apiKey) refuseLiveKeyWithoutPsp(ctx.apiKey);
  const merchantId = ctx.apiKey ? await merchantForApiKey(ctx.db, ctx.apiKey) : null;
  if (!merchantId) throw new TRPCError({ code: "UNAUTHORIZED", message: "A valid merchant API key is required." });
  return next({ ctx: { ...ctx, merchantId } });
});
