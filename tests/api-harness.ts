import { resetEnvCache } from "@/server/env";
import { startApiServer } from "./api-server";
import { createHarness, type Harness } from "./harness";

export type ApiServer = Awaited<ReturnType<typeof startApiServer>>;

/**
 * The merchant API's route handlers served over HTTP against a harness (real PostgreSQL, a real
 * simulator). The handlers build their PSP adapter from the environment, like production, so the
 * harness's simulator and key are set there with the caller's extra settings.
 */
export async function startApiHarness(extraEnv: Record<string, string> = {}): Promise<{ h: Harness; api: ApiServer; close(): Promise<void> }> {
  const h = await createHarness();
  Object.assign(process.env, { STRIPE_API_BASE: h.sim.url, STRIPE_SECRET_KEY: h.pspKey, PSP_MAX_NETWORK_RETRIES: "0", ...extraEnv });
  resetEnvCache();
  const api = await startApiServer();
  return {
    h,
    api,
    close: async () => {
      await api.close();
      await h.close();
    },
  };
}
