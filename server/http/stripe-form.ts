import qs from "qs";

/**
 * Stripe's form encoding (`metadata[order]=o_1`, `expand[0]=a`, `expand[]=b`, brackets raw or
 * %-encoded), decoded by `qs` with limits so a hostile body cannot nest deeply, explode into many
 * parameters or huge arrays, or reach Object.prototype (plain objects, __proto__ refused).
 */
export type Params = Record<string, unknown>;

/** Stripe's deepest parameters (e.g. payment_method_options[card][installments][plan][count]) need 4. */
export const FORM_MAX_DEPTH = 5;
export const FORM_MAX_PARAMETERS = 1_000;
export const FORM_MAX_ARRAY_LENGTH = 100;

/** A body qs refuses (too deep, too many parameters or array elements). */
export class FormDecodeError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = "FormDecodeError";
  }
}

// A key segment named __proto__ (qs would drop it silently; the client must hear it was refused).
const PROTO_SEGMENT = /(^|\[)__proto__(\]|\[|$)/;

export function decodeForm(body: string): Params {
  if (!body) return {};
  for (const key of new URLSearchParams(body).keys()) {
    if (PROTO_SEGMENT.test(key)) throw new FormDecodeError(`Invalid ${key}: __proto__ is not a valid key.`, key);
  }
  try {
    return qs.parse(body, {
      depth: FORM_MAX_DEPTH,
      strictDepth: true,
      parameterLimit: FORM_MAX_PARAMETERS,
      arrayLimit: FORM_MAX_ARRAY_LENGTH,
      throwOnLimitExceeded: true,
      // Objects without a prototype: keys like `constructor` stay ordinary data, nothing reaches Object.prototype.
      plainObjects: true,
      allowPrototypes: false,
    }) as Params;
  } catch (e) {
    if (e instanceof RangeError) {
      throw new FormDecodeError(
        `The request body exceeds the limits of form encoding (at most ${FORM_MAX_DEPTH} levels of nesting, ${FORM_MAX_PARAMETERS} parameters, ${FORM_MAX_ARRAY_LENGTH} array elements).`,
      );
    }
    throw e;
  }
}
