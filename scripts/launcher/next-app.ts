import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./paths";

export type NextMode = "dev" | "start";

const NEXT_CLI = path.join(PROJECT_ROOT, "node_modules", "next", "dist", "bin", "next");

/** `next start` serves .next; without a build it would fail with a less obvious error. */
export function hasProductionBuild(): boolean {
  return existsSync(path.join(PROJECT_ROOT, ".next", "BUILD_ID"));
}

/** Runs the Next CLI through this Node binary (portable, no shell), sharing our terminal. */
export function spawnNext(mode: NextMode, port: number, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [NEXT_CLI, mode, "-p", String(port)], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
    env: { ...process.env, ...env, PORT: String(port), NEXT_TELEMETRY_DISABLED: "1" },
  });
}
