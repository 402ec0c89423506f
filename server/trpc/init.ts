import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { Db } from "@/db/client";
import { isDomainError } from "../errors";
import { merchantForApiKey } from "../merchants/api-keys";
import type { PspAdapter } from "../psp/types";

export interface TrpcContext {
  db: Db;
  psp: PspAdapter;
  /** Until sign-in lands (dashboard issue), the web app authenticates with a merchant secret key. */
  apiKey: string | null;
}

const t = initTRPC.context<TrpcContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return { ...shape, data: { ...shape.data, domainCode: isDomainError(cause) ? cause.code : null } };
  },
});

type TrpcCode = ConstructorParameters<typeof TRPCError>[0]["code"];
const TRPC_CODE_BY_STATUS: Record<number, TrpcCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  402: "PAYMENT_REQUIRED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  502: "BAD_GATEWAY",
};

/** The one place that maps domain errors to tRPC errors; the domain code travels in data.domainCode. */
const errorConversion = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isDomainError(result.error.cause)) {
    const cause = result.error.cause;
    throw new TRPCError({ code: TRPC_CODE_BY_STATUS[cause.httpStatus] ?? "INTERNAL_SERVER_ERROR", message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorConversion);

/** Narrows the context to a merchant; missing or unknown credentials are UNAUTHORIZED. */
export const merchantProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const merchantId = ctx.apiKey ? await merchantForApiKey(ctx.db, ctx.apiKey) : null;
  if (!merchantId) throw new TRPCError({ code: "UNAUTHORIZED", message: "A valid merchant API key is required." });
  return next({ ctx: { ...ctx, merchantId } });
});
