import type { HelpdeskMessage } from '@handrail/contracts';

export const PROVIDERS = ['zendesk', 'chatwoot'] as const;
export type Provider = (typeof PROVIDERS)[number];

export type Owner = 'bot' | 'human' | 'none';
export type AuthorRole = 'customer' | 'agent' | 'bot' | 'system';

/** A helpdesk ticket as one of its events or an API read shows it. */
export interface TicketRef {
  provider: Provider;
  account: string;
  providerTicketId: string;
}

export interface TicketState {
  status: string;
  assigneeId: string;
  groupId: string;
  tags: string[];
  /** Who the helpdesk says holds the ticket: our bot, a person, or nobody. */
  owner: Owner;
}

/** One message of a ticket, in the contract's words. */
export interface NormalisedMessage {
  ref: TicketRef;
  helpdesk: HelpdeskMessage;
  /** The helpdesk's author id (our bot's messages are recognised by it). */
  authorId: string;
  body: string;
  subject: string;
  /** Handrail's channel (email, chat, web, phone, sms, social, api). */
  channel: string;
  /** Ids the customer profile is read from (requester / contact, organisation). */
  customerContactId: string;
  organizationId: string;
  /** Profile fields the webhook already carries (Chatwoot's contact custom attributes). */
  inlineCustomer?: Record<string, unknown>;
}

export type OutcomeKind = 'solved' | 'reopened' | 'satisfaction';

/** What one webhook (or reconciled item) says happened. */
export type HookEvent =
  | { kind: 'message'; message: NormalisedMessage }
  | { kind: 'state'; ref: TicketRef; state: Partial<TicketState>; previousStatus?: string; eventId: string; occurredAt: string }
  | { kind: 'outcome'; ref: TicketRef; outcome: OutcomeKind; rating: string; score: string; eventId: string; occurredAt: string }
  | { kind: 'ignored'; reason: string };

/** `<provider>:<account>:<ticket id>` — ours, stable across deliveries. */
export function ticketKeyOf(ref: TicketRef): string {
  return `${ref.provider}:${ref.account}:${ref.providerTicketId}`;
}

/** A customer id intake accepts (letters, digits, _ and -, at most 64) from the helpdesk's contact id. */
export function customerIdOf(provider: Provider, account: string, contactId: string): string {
  const raw = `${provider === 'zendesk' ? 'zd' : 'cw'}-${account}-${contactId}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return raw.length <= 64 ? raw : raw.slice(0, 64);
}

/** The external id intake dedupes on: one helpdesk message is one Handrail ticket. */
export function externalIdOf(account: string, providerMessageId: string): string {
  return `${account}:${providerMessageId}`;
}

/** The bot's identity in one account: its messages are echoes, never a human taking over. */
export interface BotIdentity {
  /** Zendesk: the API user's id; Chatwoot: the agent bot's or API user's id. */
  userIds: readonly string[];
}

export function asString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

export function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** ISO time from an ISO string or epoch seconds (Chatwoot mixes both); '' when neither. */
export function isoTime(v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v * (v < 1e12 ? 1000 : 1)).toISOString();
  if (typeof v === 'string' && v) {
    if (/^\d+$/.test(v)) return isoTime(Number(v));
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? '' : new Date(ms).toISOString();
  }
  return '';
}

const SOLVED = new Set(['solved', 'closed', 'resolved']);

/** solved when a ticket enters a solved status, reopened when it leaves one; nothing otherwise. */
export function statusOutcome(previous: string, current: string): 'solved' | 'reopened' | undefined {
  if (!current || previous === current) return undefined;
  if (SOLVED.has(current) && !SOLVED.has(previous)) return 'solved';
  if (SOLVED.has(previous) && !SOLVED.has(current)) return 'reopened';
  return undefined;
}
