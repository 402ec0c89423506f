/**
 * Next calls register() once per server process. It only refuses a misconfigured production start;
 * background sweeps (recovery, purges) run in the job worker (server/jobs/worker.ts), not here.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { refuseMisconfiguredStart } = await import("./server/startup");
  refuseMisconfiguredStart();
}
