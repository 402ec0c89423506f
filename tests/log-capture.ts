import { vi } from "vitest";
import { createLogger, logger } from "@/server/logger";

/**
 * Captures what the product logs, serialized exactly as in production (same pino options, same
 * error serializers), so a test can scan the log lines for data that must never be there.
 */
export function captureLogs(): { lines: string[]; text: () => string; restore: () => void } {
  const lines: string[] = [];
  const sink = createLogger({ write: (line: string) => void lines.push(line) }, "trace");
  const levels = ["fatal", "error", "warn", "info", "debug"] as const;
  const spies = levels.map((level) =>
    vi.spyOn(logger, level).mockImplementation(((...args: Parameters<typeof sink.info>) => sink[level](...args)) as typeof logger.info),
  );
  return {
    lines,
    text: () => lines.join(""),
    restore: () => {
      for (const s of spies) s.mockRestore();
    },
  };
}
