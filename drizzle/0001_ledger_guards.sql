-- Hand-written guards the ORM cannot express. Each statement is idempotent in effect because
-- drizzle's migrator records applied files; CREATE OR REPLACE keeps re-runs harmless anyway.

-- A journal must balance per currency when its transaction commits.
CREATE OR REPLACE FUNCTION ledger_assert_journal_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT currency, sum(amount) AS total INTO bad
    FROM ledger_lines WHERE journal_id = NEW.journal_id
    GROUP BY currency HAVING sum(amount) <> 0 LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger journal % does not balance in %: sum %', NEW.journal_id, bad.currency, bad.total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS ledger_lines_balanced ON ledger_lines;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_lines_balanced
  AFTER INSERT ON ledger_lines
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_assert_journal_balanced();
--> statement-breakpoint
-- A journal without lines is not a posting.
CREATE OR REPLACE FUNCTION ledger_assert_journal_has_lines() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ledger_lines WHERE journal_id = NEW.id) THEN
    RAISE EXCEPTION 'ledger journal % has no lines', NEW.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS ledger_journals_have_lines ON ledger_journals;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER ledger_journals_have_lines
  AFTER INSERT ON ledger_journals
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION ledger_assert_journal_has_lines();
--> statement-breakpoint
-- Posted lines and journals never change; corrections are reversing journals.
CREATE OR REPLACE FUNCTION ledger_reject_mutation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger % is append-only: % rejected', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS ledger_lines_append_only ON ledger_lines;
--> statement-breakpoint
CREATE TRIGGER ledger_lines_append_only
  BEFORE UPDATE OR DELETE ON ledger_lines
  FOR EACH ROW EXECUTE FUNCTION ledger_reject_mutation();
--> statement-breakpoint
DROP TRIGGER IF EXISTS ledger_lines_no_truncate ON ledger_lines;
--> statement-breakpoint
CREATE TRIGGER ledger_lines_no_truncate
  BEFORE TRUNCATE ON ledger_lines
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_reject_mutation();
--> statement-breakpoint
DROP TRIGGER IF EXISTS ledger_journals_append_only ON ledger_journals;
--> statement-breakpoint
CREATE TRIGGER ledger_journals_append_only
  BEFORE UPDATE OR DELETE ON ledger_journals
  FOR EACH ROW EXECUTE FUNCTION ledger_reject_mutation();
