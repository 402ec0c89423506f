import { migrateDatabase } from "/work/main/db/migrate";
await migrateDatabase("postgres://postgres@127.0.0.1:5432/payrail_scratch");
await migrateDatabase("postgres://postgres@127.0.0.1:5432/payrail_scratch");
console.log("migrated twice");
