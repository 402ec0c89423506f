import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { users } from "@/db/schema";
import { newId } from "../ids";
import { hashPassword, verifyPassword } from "./password";

/**
 * Creates the user, or sets the password of an existing one when it differs (so changing
 * DEMO_PASSWORD takes effect on the next start). Emails are stored lower-case.
 */
export async function upsertUser(db: DbOrTx, p: { email: string; password: string; name?: string; platformAdmin?: boolean }) {
  const email = p.email.trim().toLowerCase();
  const [existing] = await db.select().from(users).where(eq(users.email, email));
  if (existing) {
    if (!(await verifyPassword(existing.passwordHash, p.password))) {
      await db.update(users).set({ passwordHash: await hashPassword(p.password) }).where(eq(users.id, existing.id));
    }
    return existing.id;
  }
  const id = newId("usr");
  await db.insert(users).values({ id, email, name: p.name ?? null, passwordHash: await hashPassword(p.password), platformAdmin: p.platformAdmin ?? false });
  return id;
}
