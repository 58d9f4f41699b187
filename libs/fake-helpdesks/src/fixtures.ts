import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE_NAMES = [
  'zendesk.ticket.comment_added',
  'zendesk.ticket.status_changed',
  'zendesk.ticket.agent_assignment_changed',
  'zendesk.trigger.satisfaction',
  'chatwoot.message_created',
  'chatwoot.conversation_status_changed',
  'chatwoot.csat.message_updated',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

/** A documented payload, as the vendor's docs show it (a fresh copy each call). */
export function fixture(name: FixtureName): Record<string, unknown> {
  // `fixtures/` sits beside `src/` and `dist/` alike.
  const path = fileURLToPath(new URL(`../fixtures/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
