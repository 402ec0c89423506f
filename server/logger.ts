import pino from "pino";
import { env } from "./env";

/** Structured logs; secrets and card data are redacted by path so a careless log call cannot leak them. */
const options: pino.LoggerOptions = {
  level: env().LOG_LEVEL ?? (env().NODE_ENV === "test" ? "silent" : "info"),
  base: { service: "payrail" },
  redact: {
    paths: [
      "authorization",
      "headers.authorization",
      "req.headers.authorization",
      "*.secretKey",
      "secretKey",
      "*.card.number",
      "*.card.cvc",
      "card.number",
      "card.cvc",
      "*.client_secret",
    ],
    censor: "[redacted]",
  },
};

/** The logger with the product's options, writing to `destination` (stdout by default; tests capture lines). */
export function createLogger(destination?: pino.DestinationStream, level?: pino.LevelWithSilent): pino.Logger {
  const opts = level ? { ...options, level } : options;
  return destination ? pino(opts, destination) : pino(opts);
}

export const logger = createLogger();
