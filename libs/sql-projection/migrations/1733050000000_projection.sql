-- Up Migration
-- The SQL projection of the events stream (issue 15). No customer text: ids, times, decisions,
-- reason codes, human actions, QA verdicts and outcomes only, so crypto-shredding a customer needs
-- nothing here. Every row comes from one event; rebuilt from zero by replaying the stream.

-- Where the projector is in each stream: the last sequence applied, in the same transaction as its rows.
CREATE TABLE projector_position (
  stream   text PRIMARY KEY,
  last_seq bigint NOT NULL
);

-- Every authentic event, once (the stream sequence is the key; the event id is unique too).
CREATE TABLE events (
  seq         bigint PRIMARY KEY,
  event_id    text NOT NULL UNIQUE,
  type        text NOT NULL,
  ticket_id   text NOT NULL,
  occurred_at timestamptz NOT NULL,
  stored_at   timestamptz NOT NULL,
  producer    text NOT NULL,
  policy_rev  text NOT NULL,
  model_rev   text NOT NULL,
  kb_rev      text NOT NULL
);
CREATE INDEX events_ticket ON events (ticket_id, seq);
CREATE INDEX events_type_time ON events (type, occurred_at);

-- One row per ticket: who, where from, when; the classification; the first conclusion (final).
CREATE TABLE tickets (
  ticket_id    text PRIMARY KEY,
  connector    text NOT NULL,
  channel      text NOT NULL,
  customer_id  text NOT NULL,
  received_at  timestamptz NOT NULL,
  area         text,
  intent       text,
  confidence   double precision,
  route        text,
  queue        text,
  priority     text,
  concluded_at timestamptz
);

-- The decision of each ticket with the revisions behind it, and its reasons in order.
CREATE TABLE decisions (
  ticket_id  text PRIMARY KEY,
  event_id   text NOT NULL,
  decided_at timestamptz NOT NULL,
  route      text NOT NULL,
  area       text NOT NULL,
  queue      text NOT NULL,
  priority   text NOT NULL,
  policy_rev text NOT NULL,
  model_rev  text NOT NULL,
  kb_rev     text NOT NULL
);
CREATE TABLE decision_reasons (
  ticket_id text NOT NULL,
  position  integer NOT NULL,
  code      text NOT NULL,
  rule      text NOT NULL,
  PRIMARY KEY (ticket_id, position)
);
CREATE INDEX decision_reasons_code ON decision_reasons (code);

-- The help-centre articles a ticket's draft cites (for defects by KB article).
CREATE TABLE draft_citations (
  ticket_id  text NOT NULL,
  article_id text NOT NULL,
  PRIMARY KEY (ticket_id, article_id)
);

-- What people did: decisions (approve, edit, reject, take over), claims, blocked replies, refusals.
CREATE TABLE human_actions (
  event_id  text PRIMARY KEY,
  ticket_id text NOT NULL,
  kind      text NOT NULL,
  action    text NOT NULL,
  actor     text NOT NULL,
  at        timestamptz NOT NULL
);
CREATE INDEX human_actions_ticket ON human_actions (ticket_id, at);

CREATE TABLE qa_samples (
  ticket_id     text PRIMARY KEY,
  route         text NOT NULL,
  area          text NOT NULL,
  sample_reason text NOT NULL,
  rate          double precision NOT NULL,
  at            timestamptz NOT NULL
);

CREATE TABLE qa_verdicts (
  event_id  text PRIMARY KEY,
  ticket_id text NOT NULL,
  reviewer  text NOT NULL,
  passed    boolean NOT NULL,
  blind     boolean NOT NULL,
  at        timestamptz NOT NULL
);
CREATE TABLE qa_defects (
  event_id  text NOT NULL,
  ticket_id text NOT NULL,
  defect    text NOT NULL,
  PRIMARY KEY (event_id, defect)
);

-- What happened after: replies delivered or failed, and helpdesk outcomes (solved, reopened, rated).
CREATE TABLE outcomes (
  event_id  text PRIMARY KEY,
  ticket_id text NOT NULL,
  kind      text NOT NULL,
  detail    text NOT NULL,
  at        timestamptz NOT NULL
);

-- Down Migration
DROP TABLE outcomes, qa_defects, qa_verdicts, qa_samples, human_actions, draft_citations, decision_reasons, decisions, tickets, events, projector_position;
