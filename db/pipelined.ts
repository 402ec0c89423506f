/**
 * Promise.all for statements pipelined on one transaction's connection, except that it waits for
 * every statement to settle before rethrowing: when the transaction ends (commit or rollback),
 * nothing of it may still be running or waiting to be sent. Build any value that can throw (journal
 * drafts, validations) before calling it, so no statement starts ahead of a synchronous throw.
 */
export async function pipelined<T extends readonly unknown[]>(promises: readonly [...T]): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = await Promise.allSettled(promises);
  for (const r of results) if (r.status === "rejected") throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}
