import type { Db } from "@/db/client";
import { sessionFromHeaders } from "../auth/session";
import { getDatabase } from "../db";
import { newRequestId } from "../ids";
import { getPsp } from "../psp";
import type { PspAdapter } from "../psp/types";

export interface SessionUser {
  id: string;
  email: string;
}

/** The cookie holding the merchant a user works on (membership decides whether it counts). */
export const MERCHANT_COOKIE = "payrail_merchant";

/** What every procedure receives. Built once per request by createTRPCContext. */
export interface TrpcContext {
  db: Db;
  psp: PspAdapter;
  /** The signed-in person (Auth.js session), or null. Their role is read per request from the database. */
  session: { user: SessionUser } | null;
  /** The merchant the user picked; null: their first. */
  merchantPick: string | null;
  /** Names this request in error messages and in the log lines about it. */
  requestId: string;
}

const cookie = (headers: Headers, name: string) =>
  headers
    .get("cookie")
    ?.split(";")
    .map((c) => c.trim().split("="))
    .find(([k]) => k === name)?.[1] ?? null;

/** The tRPC context for an HTTP request (the route handler) or a server component (its headers()). */
export async function createTRPCContext(opts: { headers: Headers }): Promise<TrpcContext> {
  const session = await sessionFromHeaders(opts.headers);
  return { db: getDatabase().db, psp: getPsp(), session, merchantPick: cookie(opts.headers, MERCHANT_COOKIE), requestId: newRequestId() };
}
