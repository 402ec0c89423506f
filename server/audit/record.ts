import { TRPCError } from "@trpc/server";
import type { DbOrTx } from "@/db/client";
import { auditLog } from "@/db/schema";
import type { Member } from "../auth/membership";
import { isDomainError } from "../errors";

export interface AuditEntry {
  action: string;
  targetId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  outcome: "succeeded" | "failed";
}

/** One append-only row per mutation a person made (the table refuses updates and deletes). */
export async function recordAudit(db: DbOrTx, member: Member, requestId: string, e: AuditEntry) {
  await db.insert(auditLog).values({
    merchantId: member.merchantId,
    actorUserId: member.userId,
    actorEmail: member.email,
    actorRole: member.platformAdmin ? "platform_admin" : member.role,
    requestId,
    ...e,
  });
}

/**
 * Runs a person's mutation and records it with the target's state before and after; a failure is
 * recorded too (with its error code) and rethrown.
 */
export async function audited<T>(
  ctx: { db: DbOrTx; member: Member; requestId: string },
  action: string,
  targetId: string | null,
  snapshot: () => Promise<Record<string, unknown> | null>,
  run: () => Promise<T>,
): Promise<T> {
  const before = await snapshot();
  try {
    const result = await run();
    await recordAudit(ctx.db, ctx.member, ctx.requestId, { action, targetId, before, after: await snapshot(), outcome: "succeeded" });
    return result;
  } catch (err) {
    const code = isDomainError(err) ? err.code : err instanceof TRPCError ? err.code : "internal_error";
    await recordAudit(ctx.db, ctx.member, ctx.requestId, { action, targetId, before, after: { error: code }, outcome: "failed" });
    throw err;
  }
}
