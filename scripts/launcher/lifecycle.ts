/** Ordered shutdown: cleanups run newest first (app, then simulator, then database), once. */
type Cleanup = () => Promise<void>;

const cleanups: Cleanup[] = [];
let exiting = false;

export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

export function isExiting(): boolean {
  return exiting;
}

export async function exitAfterCleanup(code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error("[launcher] cleanup failed:", err instanceof Error ? err.message : err);
      }
    }
  }
  process.exit(code);
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * First signal: `onStop` (forward to the app) or, before the app runs, exit after cleanup.
 * A second signal means "now": exit at once (the 'exit' hooks still kill children).
 */
export function handleSignals(onStop: (signal: NodeJS.Signals) => boolean): void {
  let received = false;
  for (const [name, num] of Object.entries(SIGNALS)) {
    const signal = name as NodeJS.Signals;
    process.on(signal, () => {
      if (received) process.exit(128 + num);
      received = true;
      if (!onStop(signal)) void exitAfterCleanup(128 + num);
    });
  }
}
