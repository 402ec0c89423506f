import { env } from "./env";
import { pspConfigurationError } from "./psp/mode";

/** NODE_ENV=production with PAYRAIL_REQUIRE_PSP=1 and only a simulated PSP: the server must not serve at all. */
export function refuseMisconfiguredStart(): void {
  const refused = pspConfigurationError(env());
  if (!refused) return;
  console.error(`[payrail] refusing to start: ${refused}`);
  process.exit(1);
}
