import { bigint, char, timestamp } from "drizzle-orm/pg-core";

/** created_at / updated_at with database defaults. */
export const timestamps = () => ({
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Integer minor units as bigint; never a float. */
export const minor = (name: string) => bigint(name, { mode: "bigint" });

export const currency = (name = "currency") => char(name, { length: 3 });
