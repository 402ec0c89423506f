import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDatabase } from "../db";
import { MERCHANT_COOKIE } from "../trpc/context";
import { can, type ProcedurePath } from "./access";
import { type Member, resolveMember } from "./membership";
import { sessionFromHeaders } from "./session";

/**
 * For pages: the signed-in member, read from the database for this request. Signed out: to
 * /login; no membership: to /login with a notice. With `needs`, a role that may not use that
 * procedure gets the page's forbidden state (null) instead of data.
 */
export async function currentMember(): Promise<Member> {
  const h = await headers();
  const session = await sessionFromHeaders(h);
  if (!session) redirect("/login");
  const pick = h.get("cookie")?.match(new RegExp(`(?:^|;\\s*)${MERCHANT_COOKIE}=([^;]+)`))?.[1] ?? null;
  const member = await resolveMember(getDatabase().db, session.user.id, pick);
  if (!member) redirect("/login?error=no_merchant");
  return member;
}

export async function memberAllowed(needs: ProcedurePath): Promise<{ member: Member; allowed: boolean }> {
  const member = await currentMember();
  return { member, allowed: can(member.role, needs) };
}
