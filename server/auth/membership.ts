import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { memberships, merchants, users } from "@/db/schema";
import type { MemberRole } from "./access";

export interface Member {
  userId: string;
  email: string;
  merchantId: string;
  merchantName: string;
  role: MemberRole;
  platformAdmin: boolean;
}

/**
 * The signed-in user's role at the merchant they work on, read from the database on every request
 * (a role in a token would outlive a demotion). `wanted` is the merchant the user picked; without
 * it, or when it is not theirs, their first merchant. A platform admin may pick any merchant and
 * acts there as admin. Null: the user is gone or belongs to no merchant.
 */
export async function resolveMember(db: DbOrTx, userId: string, wanted: string | null): Promise<Member | null> {
  const [user] = await db.select({ email: users.email, platformAdmin: users.platformAdmin }).from(users).where(eq(users.id, userId));
  if (!user) return null;
  const rows = await db
    .select({ merchantId: memberships.merchantId, role: memberships.role, merchantName: merchants.name })
    .from(memberships)
    .innerJoin(merchants, eq(merchants.id, memberships.merchantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.merchantId));
  const picked = rows.find((r) => r.merchantId === wanted);
  if (user.platformAdmin && !picked) {
    const [m] = wanted
      ? await db.select({ id: merchants.id, name: merchants.name }).from(merchants).where(eq(merchants.id, wanted))
      : [];
    const chosen = m ?? (await db.select({ id: merchants.id, name: merchants.name }).from(merchants).orderBy(asc(merchants.createdAt), asc(merchants.id)).limit(1))[0];
    if (!chosen) return null;
    return { userId, email: user.email, merchantId: chosen.id, merchantName: chosen.name, role: "admin", platformAdmin: true };
  }
  const row = picked ?? rows[0];
  if (!row) return null;
  return { userId, email: user.email, merchantId: row.merchantId, merchantName: row.merchantName, role: row.role, platformAdmin: user.platformAdmin };
}

export async function addMembership(db: DbOrTx, userId: string, merchantId: string, role: MemberRole) {
  await db
    .insert(memberships)
    .values({ userId, merchantId, role })
    .onConflictDoUpdate({ target: [memberships.userId, memberships.merchantId], set: { role } });
}

export async function findUserByEmail(db: DbOrTx, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase()));
  return row;
}

export async function findUserPasswordHash(db: DbOrTx, userId: string): Promise<string | null> {
  const [row] = await db.select({ h: users.passwordHash }).from(users).where(and(eq(users.id, userId)));
  return row?.h ?? null;
}
