import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { findInputProblem } from "../http/input-guard";
import { ACCESS, can, type ProcedurePath } from "../auth/access";
import { resolveMember } from "../auth/membership";
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

/** Signed in, else UNAUTHORIZED; narrows the session to non-null. */
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session?.user.id) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to use the dashboard." });
  return next({ ctx: { ...ctx, session: ctx.session } });
});

/**
 * Role-gated and merchant-scoped: the caller's membership is read from the database for this
 * request, and the procedure's path must allow their role in ACCESS (server/auth/access.ts); a
 * path missing from the table is refused. Wrong role: FORBIDDEN. Handlers never re-check roles and
 * scope every read and write by ctx.merchantId.
 */
export const merchantProcedure = protectedProcedure.use(async ({ ctx, path, next }) => {
  const member = await resolveMember(ctx.db, ctx.session.user.id, ctx.merchantPick);
  if (!member) throw new TRPCError({ code: "FORBIDDEN", message: "Your account has no access to a merchant." });
  if (!(path in ACCESS) || !can(member.role, path as ProcedurePath)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `The ${member.role} role may not use ${path}.` });
  }
  return next({ ctx: { ...ctx, member, merchantId: member.merchantId } });
});
