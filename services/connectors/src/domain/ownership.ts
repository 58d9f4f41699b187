import type { Owner, Provider } from './model.js';

/** Our side of the handoff: `bot` until we hand the ticket to people, who may hand it back. */
export type HandoffState = 'bot' | 'awaiting_human' | 'human';

export interface ReplyGateInput {
  provider: Provider;
  /** Just re-read from the helpdesk's API. */
  status: string;
  owner: Owner;
  handoff: HandoffState;
  /** Chatwoot with an agent bot: the bot may speak only while the conversation is `pending`. */
  requirePending: boolean;
}

export type GateDecision = { ok: true } | { ok: false; reason: 'human_owner' | 'handed_off' | 'closed' | 'not_pending'; detail: string };

/**
 * May AI say something the customer sees, now? Only while nobody but the bot holds the ticket, we
 * have not handed it to people, and the helpdesk still accepts replies. Internal notes need none of this.
 */
export function mayReply(i: ReplyGateInput): GateDecision {
  if (i.owner === 'human') return { ok: false, reason: 'human_owner', detail: 'a person is assigned to the ticket in the helpdesk' };
  if (i.handoff !== 'bot') return { ok: false, reason: 'handed_off', detail: `the ticket was handed to people (${i.handoff})` };
  if (i.status === 'closed') return { ok: false, reason: 'closed', detail: 'the ticket is closed' };
  if (i.provider === 'chatwoot' && i.requirePending && i.status !== 'pending') {
    return { ok: false, reason: 'not_pending', detail: `the conversation is ${i.status || 'in no status'}, and the bot speaks only while it is pending` };
  }
  return { ok: true };
}

/** What a helpdesk event does to our handoff state. */
export function nextHandoff(current: HandoffState, e: { owner: Owner; humanReplied?: boolean; status?: string; provider: Provider }): HandoffState {
  if (e.owner === 'human' || e.humanReplied) return 'human';
  // Chatwoot hands a conversation back to the bot by setting it pending again.
  if (e.provider === 'chatwoot' && e.status === 'pending' && e.owner !== 'none') return 'bot';
  if (e.owner === 'bot') return 'bot';
  return current;
}
