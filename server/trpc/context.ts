import type { Db } from "@/db/client";
import { getDatabase } from "../db";
import { newRequestId } from "../ids";
import { getPsp } from "../psp";
import type { PspAdapter } from "../psp/types";

/** What every procedure receives. Built once per request by createTRPCContext. */
export interface TrpcContext {
  db: Db;
  psp: PspAdapter;
  /** Until sign-in lands (dashboard issue), the web app authenticates with a merchant secret key. */
  apiKey: string | null;
  /** The next-auth session goes here once sign-in lands; null until then. */
  session: null;
  /** Names this request in error messages and in the log lines about it. */
  requestId: string;
}

const bearer = (headers: Headers) => /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1] ?? null;

/** The tRPC context for an HTTP request (the route handler) or a server component (its headers()). */
export function createTRPCContext(opts: { headers: Headers }): TrpcContext {
  return { db: getDatabase().db, psp: getPsp(), apiKey: bearer(opts.headers), session: null, requestId: newRequestId() };
}
