import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { SimulatedPspNotice } from "@/components/simulated-psp-notice";

export const metadata: Metadata = { title: "Payrail", description: "Self-hostable payments platform" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <SimulatedPspNotice />
        {children}
      </body>
    </html>
  );
}
