import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { TASKS } from "../jobs/enqueue";
import { DELIVERY_MAX_ATTEMPTS } from "./deliver";

/**
 * Safety net for the relay trigger: pending deliveries whose (endpoint, object) has no job (written
 * before the worker's schema existed, or a job removed by hand) get one. Dead jobs are left for an
 * admin to replay.
 */
export async function enqueueOrphanDeliveries(db: DbOrTx): Promise<number> {
  const rows = await db.execute(sql`
    select graphile_worker.add_job(${TASKS.deliverWebhooks}, json_build_object('endpointId', o.endpoint_id, 'objectId', o.object_id),
      job_key := 'whd:' || o.endpoint_id || ':' || o.object_id, max_attempts := ${DELIVERY_MAX_ATTEMPTS}::int)
    from (
      select distinct d.endpoint_id, d.object_id from webhook_deliveries d
      where d.status = 'pending' and d.updated_at < now() - interval '1 minute'
        and not exists (select 1 from graphile_worker._private_jobs j where j.key = 'whd:' || d.endpoint_id || ':' || d.object_id)
      limit 1000
    ) o`);
  return rows.length;
}
