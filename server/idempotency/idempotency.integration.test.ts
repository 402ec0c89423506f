import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "@/db/client";
import { idempotencyKeys } from "@/db/schema";
import { DomainError } from "@/server/errors";
import { createMerchant } from "@/server/merchants/service";
import { purgeExpiredIdempotencyKeys } from "./purge";
import { withIdempotency } from "./with-idempotency";

let database: Database;
beforeAll(() => {
  database = createDatabase(process.env.DATABASE_URL!, { max: 10 });
});
afterAll(async () => {
  await database.close();
});

const render = (o: { ok: boolean }) => ({ status: o.ok ? 200 : 400, body: JSON.stringify(o) });

describe("withIdempotency", () => {
  it("releases the key when the run ends without an answer, and the retry runs with resume=true", async () => {
    const { merchantId } = await createMerchant(database.db, { name: "idem" });
    const req = { merchantId, key: "k-release", method: "POST", path: "/v1/x", params: { a: 1 } };
    const boom = withIdempotency(database.db, req, render, async () => {
      throw new DomainError("psp_unavailable", "no answer");
    });
    await expect(boom).rejects.toMatchObject({ code: "psp_unavailable" });
    const seen: boolean[] = [];
    const second = await withIdempotency(database.db, req, render, async ({ resume }) => {
      seen.push(resume);
      return { fine: true };
    });
    expect(seen).toEqual([true]);
    expect(second.response.status).toBe(200);
  });

  it("refuses a key that is locked by a running request, and hashes params canonically", async () => {
    const { merchantId } = await createMerchant(database.db, { name: "idem2" });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = withIdempotency(database.db, { merchantId, key: "k-lock", method: "POST", path: "/p", params: { b: 2, a: 1 } }, render, async () => {
      await gate;
      return { v: 1 };
    });
    await new Promise((r) => setTimeout(r, 50));
    // Same params in another key order: same request, so "in use" rather than "reused".
    await expect(
      withIdempotency(database.db, { merchantId, key: "k-lock", method: "POST", path: "/p", params: { a: 1, b: 2 } }, render, async () => ({})),
    ).rejects.toMatchObject({ code: "idempotency_key_in_use" });
    release();
    expect((await first).response.status).toBe(200);
    const replay = await withIdempotency(database.db, { merchantId, key: "k-lock", method: "POST", path: "/p", params: { a: 1, b: 2 } }, render, async () => {
      throw new Error("must not run again");
    });
    expect(replay.replayed).toBe(true);
  });

  it("purges keys older than 24 hours in every state (completed, in progress, resumable) and keeps newer ones", async () => {
    const { merchantId } = await createMerchant(database.db, { name: "idem3" });
    for (const key of ["old", "new"]) {
      await withIdempotency(database.db, { merchantId, key, method: "POST", path: "/p", params: {} }, render, async () => ({}));
    }
    await database.db.execute(sql`update idempotency_keys set created_at = now() - interval '25 hours' where merchant_id = ${merchantId} and key = 'old'`);
    const old = new Date(Date.now() - 48 * 3600_000);
    await database.db.insert(idempotencyKeys).values([
      { merchantId, key: "stuck", requestHash: "h", requestPath: "POST /p", status: "in_progress", lockedAt: old, createdAt: old },
      { merchantId, key: "released", requestHash: "h", requestPath: "POST /p", status: "resumable", createdAt: old },
      { merchantId, key: "fresh-resumable", requestHash: "h", requestPath: "POST /p", status: "resumable" },
    ]);
    await purgeExpiredIdempotencyKeys(database.db);
    const left = await database.db.select({ key: idempotencyKeys.key }).from(idempotencyKeys).where(and(eq(idempotencyKeys.merchantId, merchantId)));
    expect(left.map((r) => r.key).sort()).toEqual(["fresh-resumable", "new"]);
  });

  it("takes over a key whose holder died (lock older than the stale limit) and resumes its work", async () => {
    const { merchantId } = await createMerchant(database.db, { name: "idem4" });
    const req = { merchantId, key: "k-crashed", method: "POST", path: "/v1/y", params: { n: 1 } };
    const { requestHash } = await import("./hash");
    await database.db.insert(idempotencyKeys).values({
      merchantId,
      key: req.key,
      requestHash: requestHash(req.method, req.path, req.params),
      requestPath: "POST /v1/y",
      status: "in_progress",
      lockedAt: new Date(Date.now() - 5 * 60_000),
    });
    const seen: boolean[] = [];
    const out = await withIdempotency(database.db, req, render, async ({ resume }) => {
      seen.push(resume);
      return { recovered: true };
    });
    expect(seen).toEqual([true]);
    expect(out.response.status).toBe(200);
  });

  it("scopes keys per merchant: the same key at two merchants runs twice", async () => {
    const a = await createMerchant(database.db, { name: "idem5a" });
    const b = await createMerchant(database.db, { name: "idem5b" });
    let runs = 0;
    for (const m of [a, b]) {
      await withIdempotency(database.db, { merchantId: m.merchantId, key: "shared", method: "POST", path: "/p", params: {} }, render, async () => ++runs);
    }
    expect(runs).toBe(2);
  });
});
