import { getToken } from "next-auth/jwt";
import type { SessionUser } from "../trpc/context";
import { authSecret } from "./local-secret";

/**
 * The signed-in user of a request, from its Auth.js session cookie (the __Secure- one over https,
 * the plain one over http). Works from any Headers, so the tRPC handler, server components and
 * tests all read sessions the same way. Null when absent, expired or tampered with.
 */
export async function sessionFromHeaders(headers: Headers): Promise<{ user: SessionUser } | null> {
  const secret = authSecret();
  for (const secureCookie of [true, false]) {
    const token = await getToken({ req: { headers }, secret, secureCookie }).catch(() => null);
    if (token && typeof token.uid === "string" && typeof token.email === "string") return { user: { id: token.uid, email: token.email } };
  }
  return null;
}
