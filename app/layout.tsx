import type { Metadata } from "next";
import { NuqsAdapter } from "nuqs/adapters/next/app";
import type { ReactNode } from "react";
import "./globals.css";
import { SimulatedPspNotice } from "@/components/simulated-psp-notice";
import { Toaster } from "@/components/ui/toaster";
import { TrpcProvider } from "@/trpc/client";

export const metadata: Metadata = { title: "Payrail", description: "Self-hostable payments platform" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <SimulatedPspNotice />
        <NuqsAdapter>
          <TrpcProvider>{children}</TrpcProvider>
        </NuqsAdapter>
        <Toaster />
      </body>
    </html>
  );
}
