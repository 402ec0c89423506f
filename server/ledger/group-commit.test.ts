import { describe, expect, it } from "vitest";
import type { DbOrTx } from "../../db/client";
import { groupCommit, type InsertResult, type JournalHeader, type ResolvedLine } from "./group-commit";

/** A fake pool handle: records batch statements and answers them with `answer` (no database). */
function fakeDb(answer: (journals: { ord: number; reference: string }[]) => Promise<{ ord: number; id: bigint | null; duplicate: boolean }[]>) {
  const batches: string[][] = [];
  const db = {
    _: {
      session: {
        prepareQuery: (q: { params: unknown[] }) => ({
          execute: () => {
            const journals = JSON.parse(q.params[0] as string) as { ord: number; reference: string }[];
            batches.push(journals.map((j) => j.reference));
            return answer(journals);
          },
        }),
      },
    },
  } as unknown as DbOrTx;
  return { db, batches };
}

const header = (reference: string): JournalHeader => ({
  merchantId: "m",
  kind: "test",
  reference,
  paymentIntentId: null,
  refundId: null,
  reversesJournalId: null,
  memo: null,
});
const lines: ResolvedLine[] = [
  { accountId: 1n, currency: "usd", amount: 5n },
  { accountId: 2n, currency: "usd", amount: -5n },
];

/** insertOne that holds the first `hold` calls until released, so later posts queue into a batch. */
function gatedInsertOne(hold: number, outcome: (reference: string) => Promise<InsertResult> = async () => ({ journalId: 1n, duplicate: false })) {
  const calls: string[] = [];
  let releaseAll!: () => void;
  const gate = new Promise<void>((r) => (releaseAll = r));
  const insertOne = async (_db: DbOrTx, h: JournalHeader): Promise<InsertResult> => {
    calls.push(h.reference);
    if (calls.length <= hold) await gate;
    return outcome(h.reference);
  };
  return { insertOne, calls, release: () => releaseAll() };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("group commit", () => {
  it("posts alone while under the in-flight limit, then batches the queue in reference order with duplicates folded", async () => {
    const { db, batches } = fakeDb(async (js) => js.map((j) => ({ ord: j.ord, id: BigInt(100 + j.ord), duplicate: false })));
    const one = gatedInsertOne(2);
    const a = groupCommit(db, one.insertOne, header("a1"), lines);
    const b = groupCommit(db, one.insertOne, header("a2"), lines);
    const z = groupCommit(db, one.insertOne, header("z"), lines);
    const c = groupCommit(db, one.insertOne, header("c"), lines);
    const zAgain = groupCommit(db, one.insertOne, header("z"), lines);
    await tick();
    expect(one.calls).toEqual(["a1", "a2"]);
    expect(batches).toEqual([]);
    one.release();
    await Promise.all([a, b]);
    expect(await c).toEqual({ journalId: 100n, duplicate: false });
    expect(await z).toEqual({ journalId: 101n, duplicate: false });
    expect(await zAgain).toEqual({ journalId: 101n, duplicate: true });
    expect(batches).toEqual([["c", "z"]]);
  });

  it("retries alone a journal the batch could not resolve", async () => {
    const { db } = fakeDb(async (js) => js.map((j) => ({ ord: j.ord, id: j.reference === "late" ? null : 7n, duplicate: false })));
    const one = gatedInsertOne(2, async (ref) => ({ journalId: ref === "late" ? 42n : 1n, duplicate: ref === "late" }));
    const posts = ["x", "y", "late", "ok"].map((r) => groupCommit(db, one.insertOne, header(r), lines));
    await tick();
    one.release();
    const [, , late, ok] = await Promise.all(posts);
    expect(late).toEqual({ journalId: 42n, duplicate: true });
    expect(ok).toEqual({ journalId: 7n, duplicate: false });
    expect(one.calls).toEqual(["x", "y", "late"]);
  });

  it("when a batch fails, every journal is posted alone and gets its own outcome", async () => {
    const { db, batches } = fakeDb(async () => {
      throw new Error("deadlock detected");
    });
    const one = gatedInsertOne(2, async (ref) => {
      if (ref === "bad") throw new Error("bad journal");
      return { journalId: BigInt(ref.charCodeAt(0)), duplicate: false };
    });
    const posts = ["p", "q", "bad", "r", "s"].map((ref) =>
      groupCommit(db, one.insertOne, header(ref), lines).then(
        (v) => ({ ok: v }),
        (e: Error) => ({ err: e.message }),
      ),
    );
    await tick();
    one.release();
    const out = await Promise.all(posts);
    expect(batches).toEqual([["bad", "r", "s"]]);
    expect(out[2]).toEqual({ err: "bad journal" });
    expect(out[3]).toEqual({ ok: { journalId: BigInt("r".charCodeAt(0)), duplicate: false } });
    expect(out[4]).toEqual({ ok: { journalId: BigInt("s".charCodeAt(0)), duplicate: false } });
  });
});
