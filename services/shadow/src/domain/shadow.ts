import { AiAction, type Revisions, type ShadowDecided } from '@handrail/contracts';
import type { TicketDecision } from '@handrail/decisions';
import type { ShadowSetting } from '@handrail/policy';

/** Why a received ticket is not decided in shadow (closed set: log and metric labels). */
export type ShadowSkip = 'off' | 'candidate_is_live' | 'received_before_shadow_on';

/**
 * Whether the candidate decides this ticket: only while shadow mode is on, only for a candidate that
 * is not already the live revision, and only for tickets whose `received` event was published after it was turned on — so a
 * backlog (a restart, a new durable) is never re-decided under a setting it did not arrive under.
 */
export function shadowSkip(setting: ShadowSetting | undefined, receivedAt: string, productionPolicy: string): ShadowSkip | undefined {
  if (!setting) return 'off';
  if (setting.rev === productionPolicy) return 'candidate_is_live';
  if (receivedAt && Date.parse(receivedAt) < Date.parse(setting.since)) return 'received_before_shadow_on';
  return undefined;
}

/** The shadow event's payload: the candidate's conclusion and permission, with production's revisions beside it. */
export function shadowPayload(d: TicketDecision, production: Revisions): ShadowDecided {
  return { context: d.concluded.context, concluded: d.concluded, aiAction: d.permitted.permission?.action ?? AiAction.AI_ACTION_NONE, production };
}
