import { TRPCError } from "@trpc/server";
import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { createHarness, type Harness } from "@/tests/harness";
import { callerFor, newMember, TEST_PASSWORD } from "@/tests/members";
import { ACCESS, can, MEMBER_ROLES, type MemberRole, type ProcedurePath } from "../auth/access";
import { createPaymentIntent } from "../payments/orchestrator";
import { appRouter } from "./root";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

type Outcome = "allow" | "FORBIDDEN" | "NOT_FOUND" | "UNAUTHORIZED";

/** A fresh payment of `merchantId` in the state a procedure needs, through the real orchestrator and simulator. */
async function payment(merchantId: string, kind: "captured" | "authorized" | "open") {
  const input =
    kind === "open"
      ? { amount: 1_000, currency: "usd" }
      : { amount: 1_000, currency: "usd", payment_method: "pm_card_visa", confirm: true, ...(kind === "authorized" ? { capture_method: "manual" as const } : {}) };
  return (await createPaymentIntent(h.ctx(), merchantId, input)).id;
}

let n = 0;
const k = () => `key_${++n}`;

/** An input per procedure: `own` acts on the caller's merchant, `foreign` on another merchant's objects (absent: the procedure takes no id). */
const SAMPLES: Record<ProcedurePath, { own: (m: string) => Promise<unknown>; foreign?: (f: Foreign) => unknown }> = {
  "session.me": { own: async () => undefined },
  "payments.list": { own: async () => ({}) },
  "payments.get": { own: async (m) => ({ id: await payment(m, "captured") }), foreign: (f) => ({ id: f.captured }) },
  "payments.detail": { own: async (m) => ({ id: await payment(m, "captured") }), foreign: (f) => ({ id: f.captured }) },
  "payments.getRefund": {
    own: async (m) => ({ id: ((await callerFor(h, owners.get(m)!).payments.refund({ idempotencyKey: k(), payment_intent: await payment(m, "captured"), amount: 100 })) as { id: string }).id }),
    foreign: (f) => ({ id: f.refund }),
  },
  "payments.create": { own: async () => ({ idempotencyKey: k(), amount: 500, currency: "usd" }) },
  "payments.confirm": {
    own: async (m) => ({ idempotencyKey: k(), id: await payment(m, "open"), payment_method: "pm_card_visa" }),
    foreign: (f) => ({ idempotencyKey: k(), id: f.open, payment_method: "pm_card_visa" }),
  },
  "payments.capture": { own: async (m) => ({ idempotencyKey: k(), id: await payment(m, "authorized") }), foreign: (f) => ({ idempotencyKey: k(), id: f.authorized }) },
  "payments.cancel": { own: async (m) => ({ idempotencyKey: k(), id: await payment(m, "authorized") }), foreign: (f) => ({ idempotencyKey: k(), id: f.authorized }) },
  "payments.refund": {
    own: async (m) => ({ idempotencyKey: k(), payment_intent: await payment(m, "captured"), amount: 250 }),
    foreign: (f) => ({ idempotencyKey: k(), payment_intent: f.captured, amount: 250 }),
  },
  "ledger.trialBalance": { own: async () => undefined },
};

interface Foreign {
  captured: string;
  authorized: string;
  open: string;
  refund: string;
}
const owners = new Map<string, { user: { id: string; email: string } }>();

async function call(session: { user: { id: string; email: string } } | null, path: ProcedurePath, input: unknown): Promise<Outcome> {
  const [ns, name] = path.split(".") as [string, string];
  const caller = callerFor(h, session) as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>;
  try {
    await caller[ns]![name]!(input);
    return "allow";
  } catch (err) {
    if (err instanceof TRPCError && ["FORBIDDEN", "NOT_FOUND", "UNAUTHORIZED"].includes(err.code)) return err.code as Outcome;
    throw err;
  }
}

describe("role x procedure: every procedure, every role, own and foreign ids (ACCESS in server/auth/access.ts)", () => {
  it("every tRPC procedure is in the access table and has a sample here", () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(procedures).toEqual(Object.keys(ACCESS).sort());
    expect(Object.keys(SAMPLES).sort()).toEqual(procedures);
  });

  it("allows exactly the table's roles, FORBIDDEN for the others, NOT_FOUND for another merchant's ids, UNAUTHORIZED signed out", async () => {
    const { merchantId: mine } = await h.newMerchant();
    const { merchantId: theirs } = await h.newMerchant();
    owners.set(mine, (await newMember(h, mine, "owner")).session);
    owners.set(theirs, (await newMember(h, theirs, "owner")).session);
    const foreignCaptured = await payment(theirs, "captured");
    const foreign: Foreign = {
      captured: foreignCaptured,
      authorized: await payment(theirs, "authorized"),
      open: await payment(theirs, "open"),
      refund: ((await callerFor(h, owners.get(theirs)!).payments.refund({ idempotencyKey: k(), payment_intent: foreignCaptured, amount: 100 })) as { id: string }).id,
    };
    const sessions = new Map<MemberRole | "platform_admin", { user: { id: string; email: string } }>();
    for (const role of MEMBER_ROLES) sessions.set(role, (await newMember(h, mine, role)).session);

    const seen: string[] = [];
    const expected: string[] = [];
    for (const path of Object.keys(ACCESS) as ProcedurePath[]) {
      const sample = SAMPLES[path];
      for (const role of MEMBER_ROLES) {
        const allowed = can(role, path);
        const session = sessions.get(role)!;
        seen.push(`${path} ${role} own: ${await call(session, path, await sample.own(mine))}`);
        expected.push(`${path} ${role} own: ${allowed ? "allow" : "FORBIDDEN"}`);
        if (sample.foreign) {
          seen.push(`${path} ${role} foreign: ${await call(session, path, sample.foreign(foreign))}`);
          expected.push(`${path} ${role} foreign: ${allowed ? "NOT_FOUND" : "FORBIDDEN"}`);
        }
      }
      seen.push(`${path} signed out: ${await call(null, path, await sample.own(mine))}`);
      expected.push(`${path} signed out: UNAUTHORIZED`);
    }
    expect(seen).toEqual(expected);
  });

  it("a platform admin acts as admin at the merchant they pick; a user with no membership is FORBIDDEN", async () => {
    const { merchantId } = await h.newMerchant();
    const ops = await newMember(h, null, "platform_admin");
    const me = (await callerFor(h, ops.session, merchantId).session.me()) as { merchantId: string; role: string; platformAdmin: boolean };
    expect(me).toMatchObject({ merchantId, role: "admin", platformAdmin: true });
    const nobody = await newMember(h, null, "viewer");
    expect(await call(nobody.session, "payments.list", {})).toBe("FORBIDDEN");
  });

  it("a role change applies on the next request (the membership is read per request, not from the token)", async () => {
    const { merchantId } = await h.newMerchant();
    const m = await newMember(h, merchantId, "finance");
    const input = async () => ({ idempotencyKey: k(), payment_intent: await payment(merchantId, "captured"), amount: 100 });
    expect(await call(m.session, "payments.refund", await input())).toBe("allow");
    const { addMembership } = await import("../auth/membership");
    await addMembership(h.database.db, m.userId, merchantId, "support");
    expect(await call(m.session, "payments.refund", await input())).toBe("FORBIDDEN");
  });
});

describe("audit log and re-authentication", () => {
  it("records who refunded what with the payment before and after; refuses edits of the log", async () => {
    const { merchantId } = await h.newMerchant();
    const m = await newMember(h, merchantId, "owner");
    const id = await payment(merchantId, "captured");
    await callerFor(h, m.session).payments.refund({ idempotencyKey: k(), payment_intent: id, amount: 300 });
    const [entry] = await h.database.db.select().from(auditLog).where(eq(auditLog.merchantId, merchantId)).orderBy(desc(auditLog.id)).limit(1);
    expect(entry).toMatchObject({ actorEmail: m.email, actorRole: "owner", action: "payments.refund", targetId: id, outcome: "succeeded" });
    expect(entry!.before).toMatchObject({ status: "captured", amount_refunded: "0" });
    expect(entry!.after).toMatchObject({ status: "partially_refunded", amount_refunded: "300" });
    const refusal = (p: Promise<unknown>) => p.then(() => "changed", (e: Error) => String((e.cause as Error | undefined)?.message ?? e.message));
    expect(await refusal(h.database.db.update(auditLog).set({ action: "x" }).where(eq(auditLog.id, entry!.id)))).toMatch(/append-only/);
    expect(await refusal(h.database.db.delete(auditLog).where(eq(auditLog.id, entry!.id)))).toMatch(/append-only/);
  });

  it("a refund above REFUND_REAUTH_ABOVE (100.00) needs the password: FORBIDDEN without or with a wrong one, refunded with it", async () => {
    const { merchantId } = await h.newMerchant();
    const m = await newMember(h, merchantId, "finance");
    const { id } = await createPaymentIntent(h.ctx(), merchantId, { amount: 50_000, currency: "usd", payment_method: "pm_card_visa", confirm: true });
    const api = callerFor(h, m.session);
    expect(await call(m.session, "payments.refund", { idempotencyKey: k(), payment_intent: id, amount: 10_001 })).toBe("FORBIDDEN");
    expect(await call(m.session, "payments.refund", { idempotencyKey: k(), payment_intent: id, amount: 10_001, password: "wrong password" })).toBe("FORBIDDEN");
    const detail = await api.payments.detail({ id });
    expect(detail.amountRefundedMinor).toBe("0");
    await api.payments.refund({ idempotencyKey: k(), payment_intent: id, amount: 10_001, password: TEST_PASSWORD });
    await api.payments.refund({ idempotencyKey: k(), payment_intent: id, amount: 10_000 }); // at the limit: no password
    expect((await api.payments.detail({ id })).amountRefundedMinor).toBe("20001");
  });
});
