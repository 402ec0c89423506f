-- Hand-written (drizzle-kit --custom): the outbox relay. Every merchant-visible event row fans out,
-- in the transaction that wrote it, to one webhook_deliveries row per live endpoint subscribed to its
-- type, and wakes the delivery job for (endpoint, object) through graphile-worker's add_job (LISTEN/NOTIFY
-- pickup). Nothing can be lost between the state change and its deliveries, and seq (taken here,
-- under the object's row lock) fixes their order. Without the graphile_worker schema (worker never
-- started) rows stay pending and the worker's sweep enqueues them when it starts.
CREATE OR REPLACE FUNCTION payrail_relay_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ep record;
  queued boolean := to_regnamespace('graphile_worker') IS NOT NULL;
BEGIN
  FOR ep IN
    SELECT id FROM webhook_endpoints
    WHERE merchant_id = NEW.merchant_id AND disabled = false AND deleted_at IS NULL
      AND ('*' = ANY(enabled_events) OR NEW.type = ANY(enabled_events))
    ORDER BY id
  LOOP
    INSERT INTO webhook_deliveries (id, merchant_id, endpoint_id, event_id, object_id)
    VALUES ('whd_' || replace(gen_random_uuid()::text, '-', ''), NEW.merchant_id, ep.id, NEW.id, NEW.object_id)
    ON CONFLICT DO NOTHING;
    IF queued THEN
      PERFORM graphile_worker.add_job('webhooks_deliver',
        json_build_object('endpointId', ep.id, 'objectId', NEW.object_id),
        job_key := 'whd:' || ep.id || ':' || NEW.object_id,
        max_attempts := 21);
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER events_relay_webhooks AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION payrail_relay_event();
