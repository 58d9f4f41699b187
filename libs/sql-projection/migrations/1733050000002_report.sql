-- Up Migration
-- What the weekly report, the QA overview and calibration sessions read (issue 15: the console reads the
-- projection, not a whole-stream memory). Still no customer text: codes, numbers, times, ids and people's
-- verified subjects and names. The QA loop's own records (alerts, automation changes, calibration sessions)
-- belong to no customer: the stream does not seal them either, so erasure has nothing to shred there.

-- Whether the ticket's own received event is in the stream: received_at is then the customer's time
-- (otherwise the time of the first stage that carried the ticket's context).
ALTER TABLE tickets ADD COLUMN arrived boolean NOT NULL DEFAULT false;
-- A seeded known defect's expected defect categories (issue 13), for reviewers' catch rates.
ALTER TABLE tickets ADD COLUMN seed_expected jsonb NOT NULL DEFAULT '[]';

-- Each checked draft (the latest stands; a seeded defect's draft too): what produced it and the passages it
-- cites, [{articleId, passageId, articleVersion}]. Its text is not here; has_text says whether it had any.
CREATE TABLE drafts (
  event_id    text PRIMARY KEY,
  ticket_id   text NOT NULL,
  has_text    boolean NOT NULL,
  drafter     text NOT NULL,
  template_id text NOT NULL,
  citations   jsonb NOT NULL
);
CREATE INDEX drafts_ticket ON drafts (ticket_id);

-- A person's decision beyond its human_actions row: the review clock, whether it started from an AI draft,
-- the edit's change ratio (NULL: no edit stats), an override of failed checks, the passages the reply cites.
CREATE TABLE decision_details (
  event_id     text PRIMARY KEY,
  ticket_id    text NOT NULL,
  review_ms    bigint NOT NULL,
  from_draft   boolean NOT NULL,
  change_ratio double precision,
  overridden   boolean NOT NULL,
  citations    jsonb NOT NULL
);

-- A review's reviewer as named, its review clock and calibration session; its findings in order (a review
-- without findings: its defect categories as major).
ALTER TABLE qa_verdicts ADD COLUMN reviewer_name text NOT NULL DEFAULT '';
ALTER TABLE qa_verdicts ADD COLUMN review_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE qa_verdicts ADD COLUMN session text NOT NULL DEFAULT '';
CREATE TABLE qa_findings (
  event_id  text NOT NULL,
  position  integer NOT NULL,
  category  text NOT NULL,
  severity  text NOT NULL,
  PRIMARY KEY (event_id, position)
);

-- Every way a ticket entered the QA sample, in stream order: `sampled` (the sampler's draw; a later draw after a
-- human edit revises π upwards), `seeded` (a known defect), `csat_bad` (a bad rating, outside the design).
CREATE TABLE qa_draws (
  event_id              text PRIMARY KEY,
  ticket_id             text NOT NULL,
  kind                  text NOT NULL,
  reason                text NOT NULL,
  rate                  double precision NOT NULL,
  inclusion_probability double precision NOT NULL,
  factors               jsonb NOT NULL,
  stage                 text NOT NULL,
  stratum               text NOT NULL
);
CREATE INDEX qa_draws_ticket ON qa_draws (ticket_id);

-- Shadow mode: a candidate revision's decision per ticket, from the shadow stream (its own sequence; the first
-- decision of a candidate for a ticket stands). Never acted on; the weekly report compares it with production.
CREATE TABLE shadow_decisions (
  seq               bigint PRIMARY KEY,
  event_id          text NOT NULL UNIQUE,
  ticket_id         text NOT NULL,
  candidate_policy  text NOT NULL,
  candidate_kb      text NOT NULL,
  candidate_model   text NOT NULL,
  production_policy text NOT NULL,
  production_kb     text NOT NULL,
  production_model  text NOT NULL,
  route             text,
  area              text NOT NULL,
  queue             text NOT NULL,
  priority          text NOT NULL,
  ai_action         text NOT NULL,
  reasons           jsonb NOT NULL,
  at                timestamptz NOT NULL
);
CREATE INDEX shadow_decisions_ticket ON shadow_decisions (ticket_id);

-- The QA loop's records (issue 13): alerts, automation demotions/restorations/pilot stops, calibration sessions.
CREATE TABLE qa_alerts (
  event_id  text PRIMARY KEY,
  kind      text NOT NULL,
  area      text NOT NULL,
  subject   text NOT NULL,
  detail    text NOT NULL,
  value     double precision NOT NULL,
  threshold double precision NOT NULL,
  at        timestamptz NOT NULL
);
CREATE TABLE automation_changes (
  event_id        text PRIMARY KEY,
  action          text NOT NULL,
  area            text NOT NULL,
  pilot           text NOT NULL,
  max_action      text NOT NULL,
  previous_action text NOT NULL,
  reason          text NOT NULL,
  detail          text NOT NULL,
  person          jsonb,
  estimate        jsonb,
  at              timestamptz NOT NULL
);
CREATE TABLE calibration_sessions (
  session_id text PRIMARY KEY,
  title      text NOT NULL,
  ticket_ids jsonb NOT NULL,
  reviewers  jsonb NOT NULL,
  opened_by  jsonb,
  opened_at  timestamptz NOT NULL,
  closed_by  jsonb,
  closed_at  timestamptz,
  outcome    text NOT NULL DEFAULT ''
);

-- Down Migration
DROP TABLE calibration_sessions, automation_changes, qa_alerts, shadow_decisions, qa_draws, qa_findings, decision_details, drafts;
ALTER TABLE qa_verdicts DROP COLUMN session;
ALTER TABLE qa_verdicts DROP COLUMN review_ms;
ALTER TABLE qa_verdicts DROP COLUMN reviewer_name;
ALTER TABLE tickets DROP COLUMN seed_expected;
ALTER TABLE tickets DROP COLUMN arrived;
