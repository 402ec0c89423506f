import { env } from "../env";

type CrashPoint = "authorize" | "capture" | "cancel" | "refund";

/**
 * Fault-test hook: with PAYRAIL_TEST_CRASH_AFTER_PSP naming an operation, the process dies right
 * after the PSP answered that call and before anything of it is recorded, like a crash between the
 * PSP's success and our commit. Off unless set, and never under NODE_ENV=production.
 */
export async function crashAfterPsp<R>(point: CrashPoint, call: Promise<R>): Promise<R> {
  const result = await call;
  const e = env();
  if (e.PAYRAIL_TEST_CRASH_AFTER_PSP === point && e.NODE_ENV !== "production") process.kill(process.pid, "SIGKILL");
  return result;
}
