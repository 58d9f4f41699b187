import type { LoadedIdentity } from './credentials.js';
import { inboxPrefixFor } from './permissions.js';

/** What a connection as `identity` needs: its NATS user's seed and its own inbox prefix (the server allows no other). */
export function natsAuth(identity: LoadedIdentity): { nkeySeed: Uint8Array; inboxPrefix: string } {
  return { nkeySeed: identity.natsSeed, inboxPrefix: inboxPrefixFor(identity.identity) };
}
