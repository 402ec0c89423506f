import type { Metadata } from "next";
import type { ReactNode } from "react";

/** Customer-facing pages: no dashboard providers, never indexed. */
export const metadata: Metadata = { title: "Checkout", robots: { index: false, follow: false } };

export default function CheckoutLayout({ children }: { children: ReactNode }) {
  return children;
}
