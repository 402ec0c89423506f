import pino from "pino";
import { env } from "./env";

/** Structured logs; secrets and card data are redacted by path so a careless log call cannot leak them. */
export const logger = pino({
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
});
