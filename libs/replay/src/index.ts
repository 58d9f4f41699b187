// Replay for analysts (issue 15): recorded tickets read back from the stream, re-derived with the
// services' own decision code under the revisions they name, and re-decided under a candidate.
export { RevisionResolver } from './revisions.js';
export type { ResolvedPolicy, ResolvedKb, RevisionFiles } from './revisions.js';
export { recordedTickets } from './tickets.js';
export type { RecordedTicket, TicketWindow, OpenEvent } from './tickets.js';
export { rederiveTicket, compareStage, payloadJson, DECISION_STAGES } from './rederive.js';
export type { Rederivation, Difference, DecisionStage } from './rederive.js';
export { whatIf, changeOf, impactReport } from './what-if.js';
export type { ImpactReport, DecisionChange, Group, WhatIfOptions } from './what-if.js';
export { renderImpactText, renderImpactHtml, renderImpactHtmlFragment } from './render.js';
