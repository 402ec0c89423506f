/**
 * ISO 4217 currencies we accept, with their minor-unit exponent.
 * Lower-case codes as Stripe uses them on the wire; the database stores them the same way.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  usd: 2, eur: 2, gbp: 2, chf: 2, cad: 2, aud: 2, nzd: 2, sek: 2, nok: 2, dkk: 2, pln: 2, czk: 2,
  huf: 2, ron: 2, bgn: 2, mxn: 2, brl: 2, sgd: 2, hkd: 2, inr: 2, cny: 2, zar: 2, ils: 2, try: 2,
  aed: 2, sar: 2, thb: 2, myr: 2, php: 2, idr: 2, twd: 2,
  jpy: 0, krw: 0, vnd: 0, clp: 0, isk: 0, ugx: 0, xof: 0, xaf: 0, pyg: 0,
  kwd: 3, bhd: 3, jod: 3, omr: 3, tnd: 3,
};

export function isSupportedCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

export function currencyExponent(code: string): number {
  const e = CURRENCY_EXPONENTS[code];
  if (e === undefined) throw new Error(`unsupported currency ${code}`);
  return e;
}
