import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Registry, type BalanceTxnRec } from "../state";
import { Persister } from "./persister";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const newDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), "sim-persist-"));
  dirs.push(d);
  return d;
};

const txn = (id: string, created: number, amount: number): BalanceTxnRec => ({
  id,
  created,
  amount,
  fee: 0,
  net: amount,
  currency: "usd",
  type: "charge",
  reportingCategory: "charge",
  source: `ch_${id}`,
  description: null,
});

function open(dir: string): { reg: Registry; p: Persister } {
  const reg = new Registry();
  return { reg, p: Persister.open(reg, { dir }) };
}

describe("durable simulator store", () => {
  it("keeps records in creation order with in-place changes made after get, removals, clock offset and resets", () => {
    const dir = newDir();
    const a = open(dir);
    const s = a.reg.store("sk_test_a");
    s.balanceTransactions.add(txn("t1", 100, 10));
    s.balanceTransactions.add(txn("t2", 101, 20));
    s.balanceTransactions.add(txn("t3", 102, 30));
    a.p.flush();
    s.balanceTransactions.get("t2")!.amount = 25; // mutated in place after get
    s.balanceTransactions.remove("t3");
    a.reg.store("sk_test_gone").events.add({ id: "evt_1", created: 1, type: "x", object: {}, apiVersion: "v", requestId: null, idempotencyKey: null, pendingWebhooks: 0 });
    a.reg.clock.advance(3_600);
    a.p.flush();
    a.reg.reset("sk_test_gone");
    a.p.close();

    const b = open(dir);
    const t = b.reg.store("sk_test_a").balanceTransactions;
    expect(t.values().map((x) => [x.id, x.amount])).toEqual([
      ["t1", 10],
      ["t2", 25],
    ]);
    expect(b.reg.stores.has("sk_test_gone")).toBe(false);
    expect(b.reg.clock.offsetSeconds).toBe(3_600);
    expect(b.reg.clock.now()).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 3_600);
    b.p.close();
  });

  it("drops a torn last journal line whole and keeps every complete batch", () => {
    const dir = newDir();
    const a = open(dir);
    const s = a.reg.store("sk_test_t");
    s.balanceTransactions.add(txn("t1", 100, 10));
    a.p.flush();
    a.p.close();
    const journal = path.join(dir, "journal.ndjson");
    const complete = readFileSync(journal, "utf8");
    // A batch the process was writing when it died: half a line, no newline.
    appendFileSync(journal, JSON.stringify({ b: [{ s: "sk_test_t", c: "balanceTransactions", k: "t2", v: txn("t2", 101, 20) }] }).slice(0, 40));

    const b = open(dir);
    expect(b.reg.store("sk_test_t").balanceTransactions.values().map((x) => x.id)).toEqual(["t1"]);
    b.p.close();
    expect(complete.length).toBeGreaterThan(0);
  });

  it("keeps answered idempotency keys for a day, never running ones", () => {
    const dir = newDir();
    const a = open(dir);
    const s = a.reg.store("sk_test_i");
    const rec = { method: "POST", path: "/v1/refunds", hash: "h", status: 200, body: "{}", requestId: "req_1" };
    s.setIdempotency("fresh", { ...rec, state: "done" });
    s.setIdempotency("old", { ...rec, state: "done", at: Date.now() - 25 * 3_600_000 });
    s.setIdempotency("running", { ...rec, state: "running" });
    a.p.close();

    const b = open(dir);
    const t = b.reg.store("sk_test_i");
    expect(t.getIdempotency("fresh")).toMatchObject({ state: "done", requestId: "req_1" });
    expect(t.getIdempotency("old")).toBeUndefined();
    expect(t.getIdempotency("running")).toBeUndefined();
    b.p.close();
  });

  it("refuses a folder another live process holds", () => {
    const dir = newDir();
    appendFileSync(path.join(dir, "LOCK"), String(process.ppid));
    expect(() => open(dir)).toThrow(/in use by process/);
  });
});
