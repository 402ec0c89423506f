import { randomBytes } from "node:crypto";
import type { MemberRole } from "@/db/schema/statuses";
import { addMembership } from "@/server/auth/membership";
import { upsertUser } from "@/server/auth/users";
import type { TrpcContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import type { Harness } from "./harness";

export const TEST_PASSWORD = "correct horse battery staple";

/** A user with `role` at `merchantId` (or a platform admin), and the session a signed-in request of theirs carries. */
export async function newMember(h: Harness, merchantId: string | null, role: MemberRole | "platform_admin") {
  const email = `${role}-${randomBytes(4).toString("hex")}@test.payrail.test`;
  const userId = await upsertUser(h.database.db, { email, password: TEST_PASSWORD, platformAdmin: role === "platform_admin" });
  if (merchantId && role !== "platform_admin") await addMembership(h.database.db, userId, merchantId, role);
  return { userId, email, session: { user: { id: userId, email } } };
}

/** A createCaller for a signed-in person (null: signed out), exactly as the route handler builds the context. */
export function callerFor(h: Harness, session: TrpcContext["session"], merchantPick: string | null = null, requestId = "req_trpc_test") {
  return createCaller({ ...h.ctx(), session, merchantPick, requestId });
}

/** The session cookie Auth.js would set for this user after a sign-in over http. */
export async function sessionCookie(user: { id: string; email: string }): Promise<string> {
  const { encode } = await import("next-auth/jwt");
  const { authSecret } = await import("@/server/auth/local-secret");
  const name = "authjs.session-token";
  return `${name}=${await encode({ token: { uid: user.id, email: user.email, sub: user.id }, secret: authSecret(), salt: name })}`;
}
