import { describe, expect, it } from "vitest";
import type { Task } from "graphile-worker";
import { DomainError } from "../errors";
import { reconciliationPeriodOf, withSafeErrors } from "./worker";

describe("reconciliation job period", () => {
  it("the daily cron slot reconciles the UTC day before it", () => {
    expect(reconciliationPeriodOf({ _cron: { ts: "2026-11-30T03:10:00.000Z" } })).toEqual({ from: "2026-11-29", to: "2026-11-30" });
  });
  it("an on-demand job reconciles exactly the period it names, optionally for one merchant", () => {
    expect(reconciliationPeriodOf({ from: "2026-11-01", to: "2026-11-08", merchantId: "acct_x" })).toEqual({ from: "2026-11-01", to: "2026-11-08", merchantId: "acct_x" });
  });
});

describe("job errors never carry request data", () => {
  const helpers = { job: { id: "1" } } as unknown as Parameters<Task>[1];

  it("a database error is rethrown as its class and SQL state, without the query parameters", async () => {
    const dbError = Object.assign(new Error('Failed query: insert into "x" params: 4242424242424242'), { name: "PostgresError", code: "23505" });
    const tasks = withSafeErrors({ boom: async () => Promise.reject(dbError) });
    const thrown = await Promise.resolve((tasks.boom as Task)({}, helpers)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(thrown?.message).toBe("boom failed: PostgresError (SQLSTATE 23505)");
    expect(thrown?.message).not.toContain("4242");
  });

  it("our own domain errors keep their message", async () => {
    const tasks = withSafeErrors({ known: async () => Promise.reject(new DomainError("resource_missing", "No such payment_intent: 'pi_1'")) });
    const thrown = await Promise.resolve((tasks.known as Task)({}, helpers)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(thrown?.message).toBe("No such payment_intent: 'pi_1'");
  });
});
