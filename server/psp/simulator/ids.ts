import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Stripe-looking id: `<prefix>_<24 alphanumerics>`. */
export function newId(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let out = `${prefix}_`;
  for (let i = 0; i < length; i++) out += ALPHABET.charAt((bytes[i] ?? 0) % 62);
  return out;
}

/**
 * Unix-seconds clock that never goes backwards and can be advanced through the
 * control API, so `created` filters can be tested without waiting.
 */
export class SimClock {
  private offsetSec = 0;
  private last = 0;
  /** Called after `advance` (the durable store journals the offset). */
  onAdvance: (offsetSeconds: number) => void = () => undefined;

  now(): number {
    const t = Math.floor(Date.now() / 1000) + this.offsetSec;
    if (t > this.last) this.last = t;
    return this.last;
  }

  advance(seconds: number): number {
    this.offsetSec += seconds;
    this.onAdvance(this.offsetSec);
    return this.now();
  }

  /** Restores state from the durable store: the offset, and a time already handed out (never go below it). */
  restore(offsetSeconds: number, seen: number): void {
    this.offsetSec = offsetSeconds;
    if (seen > this.last) this.last = seen;
  }

  get offsetSeconds(): number {
    return this.offsetSec;
  }
}
