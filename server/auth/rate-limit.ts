import { and, count, eq, gt, lt } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { signInAttempts } from "@/db/schema";

/** Failed sign-ins allowed in the window, per account and per client address. */
export const SIGN_IN_LIMITS = { windowMs: 15 * 60_000, perAccount: 5, perIp: 20 } as const;

export async function signInBlocked(db: DbOrTx, email: string, ip: string, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - SIGN_IN_LIMITS.windowMs);
  const failures = (col: typeof signInAttempts.email | typeof signInAttempts.ip, value: string) =>
    db
      .select({ n: count() })
      .from(signInAttempts)
      .where(and(eq(col, value), eq(signInAttempts.succeeded, false), gt(signInAttempts.createdAt, since)))
      .then((r) => r[0]?.n ?? 0);
  const [byAccount, byIp] = await Promise.all([failures(signInAttempts.email, email), failures(signInAttempts.ip, ip)]);
  return byAccount >= SIGN_IN_LIMITS.perAccount || byIp >= SIGN_IN_LIMITS.perIp;
}

export async function recordSignIn(db: DbOrTx, email: string, ip: string, succeeded: boolean, now = new Date()) {
  await db.insert(signInAttempts).values({ email, ip, succeeded });
  // Keep the table small: attempts older than a day say nothing about the window.
  if (Math.random() < 0.01) await db.delete(signInAttempts).where(lt(signInAttempts.createdAt, new Date(now.getTime() - 86_400_000)));
}

/** The client address as the server in front of Next reports it; one bucket when nothing says. */
export function clientIp(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return (forwarded || headers.get("x-real-ip") || "unknown").slice(0, 64);
}
