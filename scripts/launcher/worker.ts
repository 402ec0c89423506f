import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "./paths";

/**
 * The job worker as its own child process (`npm run worker`'s entry), not inside the launcher: it is
 * how production runs it, a slow or crashing job cannot stall the launcher's supervision or Next, and
 * its CPU is scheduled apart from the app's. Shares our terminal.
 */
export function spawnWorker(env: Record<string, string>, opts: { output?: number } = {}): ChildProcess {
  const entry = path.join(PROJECT_ROOT, "server", "jobs", "main.ts");
  return spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: PROJECT_ROOT,
    // `output`: a file descriptor for its stdout and stderr instead of our terminal (npm run bench).
    stdio: opts.output === undefined ? "inherit" : ["ignore", opts.output, opts.output],
    env: { ...process.env, ...env },
  });
}

/** Stops the worker: SIGTERM lets it finish running jobs (graphile releases the rest), then waits up to 10 s. */
export async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}
