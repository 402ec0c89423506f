/** The durable store the launcher and `npm run simulator` use, from SIMULATOR_STORE / SIMULATOR_STORE_FSYNC. */
import path from "node:path";
import type { Env } from "../../../env";
import type { DurableStoreOptions } from "./persister";

export const DEFAULT_STORE_DIR = ".data/simulator";

/** undefined = in memory (SIMULATOR_STORE=memory); relative folders resolve against `root`. */
export function storeFromEnv(e: Pick<Env, "SIMULATOR_STORE" | "SIMULATOR_STORE_FSYNC">, root: string): DurableStoreOptions | undefined {
  const where = e.SIMULATOR_STORE ?? DEFAULT_STORE_DIR;
  if (where === "memory") return undefined;
  return { dir: path.resolve(root, where), fsync: e.SIMULATOR_STORE_FSYNC ?? false };
}
