import { connection } from "next/server";
import { env } from "@/server/env";
import { pspMode } from "@/server/psp/mode";

/** On every page while the PSP is simulated, so a demo can never pass for a live deployment. */
export async function SimulatedPspNotice() {
  await connection(); // decided per request from the server's configuration, not at build time
  if (pspMode(env()) === "real") return null;
  return (
    <div role="status" className="bg-amber-100 px-4 py-2 text-center text-sm font-medium text-amber-900">
      Test mode: the payment processor is simulated. No card is charged and no money moves.
    </div>
  );
}
