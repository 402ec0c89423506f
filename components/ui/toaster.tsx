"use client";

import { Toaster as Sonner } from "sonner";

/** The one toaster: every mutation's result is announced here. */
export function Toaster() {
  return <Sonner position="top-right" closeButton />;
}
