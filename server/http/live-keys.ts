import { env } from "../env";
import { DomainError } from "../errors";
import { isLiveKey, pspMode } from "../psp/mode";

/** A live key against the simulated PSP would look like real money moving: refuse it. */
export function refuseLiveKeyWithoutPsp(key: string): void {
  if (isLiveKey(key) && pspMode(env()) === "simulated") {
    throw new DomainError(
      "api_key_invalid",
      "Live API keys (sk_live_...) are refused: this server uses a simulated PSP. Use a sk_test_ key, or configure a real PSP (STRIPE_SECRET_KEY).",
    );
  }
}
