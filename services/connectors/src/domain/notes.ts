import type { HandoffPacket } from '@handrail/contracts';

/** The internal note a person finds on an escalated ticket: why, what we found, what to do next. */
export function handoffNote(p: { packet: HandoffPacket | undefined; queue: string; priority: string; reasons: readonly string[]; ticketId: string }): string {
  const lines = [
    `Handrail handed this ticket to people (queue ${p.queue || 'unassigned'}${p.priority ? `, priority ${p.priority}` : ''}). AI will not reply while it is with you.`,
    '',
    `Why: ${p.reasons.length ? p.reasons.join(', ') : 'no reason recorded'}`,
  ];
  if (p.packet?.summary) lines.push(`Summary: ${p.packet.summary}`);
  if (p.packet?.triggers.length) lines.push(`Triggers: ${p.packet.triggers.join('; ')}`);
  if (p.packet?.kbFindings.length) lines.push('Knowledge base:', ...p.packet.kbFindings.map((f) => `- ${f}`));
  if (p.packet?.suggestedNextStep) lines.push(`Suggested next step: ${p.packet.suggestedNextStep}`);
  lines.push('', `Handrail ticket ${p.ticketId}`);
  return lines.join('\n');
}

/** The internal note on a ticket whose AI draft waits for approval in the Handrail console. */
export function approvalNote(p: { draft: string; queue: string; reasons: readonly string[]; ticketId: string }): string {
  return [
    `Handrail drafted a reply that needs a person's approval before it is sent (queue ${p.queue || 'unassigned'}; ${p.reasons.join(', ') || 'approval required'}).`,
    '',
    p.draft ? `Draft:\n${p.draft}` : 'No draft could be grounded in the knowledge base.',
    '',
    `Approve, edit or reject it in the Handrail console: ticket ${p.ticketId}`,
  ].join('\n');
}
