-- Up Migration
-- What the console's lists need (issue 15: the console reads the projection). Still no customer text.

-- The helpdesk's own ticket number and the customer's tier (from the classifier's context), for the work lists.
ALTER TABLE tickets ADD COLUMN external_id text NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN customer_tier text NOT NULL DEFAULT '';
-- A known defect the QA loop mixed into the sample (issue 13): analysts leave these out (WHERE NOT seeded).
ALTER TABLE tickets ADD COLUMN seeded boolean NOT NULL DEFAULT false;
-- The person's display name as their verified token named them (a claim shows "claimed by Ana Alvarez").
ALTER TABLE human_actions ADD COLUMN actor_name text NOT NULL DEFAULT '';
CREATE INDEX tickets_open ON tickets (route) WHERE route IN ('awaiting_approval', 'escalated');
-- The work lists look up each listed ticket's reviews and outcomes.
CREATE INDEX qa_verdicts_ticket ON qa_verdicts (ticket_id);
CREATE INDEX outcomes_ticket ON outcomes (ticket_id, kind);

-- Down Migration
DROP INDEX outcomes_ticket;
DROP INDEX qa_verdicts_ticket;
DROP INDEX tickets_open;
ALTER TABLE human_actions DROP COLUMN actor_name;
ALTER TABLE tickets DROP COLUMN seeded;
ALTER TABLE tickets DROP COLUMN customer_tier;
ALTER TABLE tickets DROP COLUMN external_id;
