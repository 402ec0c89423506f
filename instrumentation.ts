/** Next calls register() once per server process; the maintenance sweeps run in the Node runtime only. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { refuseMisconfiguredStart } = await import("./server/startup");
  refuseMisconfiguredStart();
  const [{ getDatabase }, { getPsp }, { startMaintenance }] = await Promise.all([
    import("./server/db"),
    import("./server/psp"),
    import("./server/jobs/maintenance"),
  ]);
  startMaintenance(getDatabase(), getPsp());
}
