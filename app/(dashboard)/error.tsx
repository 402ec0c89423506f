"use client";

import { Button } from "@/components/ui/button";

/** A failing page keeps the navigation; the message never carries server details (they are masked). */
export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6">
      <h1 className="text-lg font-semibold text-red-900">This page could not be loaded</h1>
      <p className="mt-1 text-sm text-red-900">{error.digest ? `Reference ${error.digest}. ` : ""}Try again; if it keeps failing, the server log has the details.</p>
      <Button className="mt-4" variant="outline" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
