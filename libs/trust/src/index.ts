export { generateCredentials, loadTrust, loadIdentity, publicSigningKey, readMasterKey, CredentialsError, TRUST_FILE, MASTER_KEY_FILE } from './credentials.js';
export type { IdentityCredentials, TrustBundle, LoadedIdentity } from './credentials.js';
export { signMessage, keyedMsgId, digestOf, Verifier, SIG_HEADERS, REPLAY_OF, recordSigner, POLICY_WRITERS } from './signing.js';
export type { Signed, Verdict } from './signing.js';
export { permissionsFor, readableStreams, inboxPrefixFor } from './permissions.js';
export { natsAuth } from './nats-auth.js';
export type { Permissions } from './permissions.js';
export { renderServerConfig, renderHelmAccounts, HELM_ACCOUNT } from './server-config.js';
export type { ServerConfigOptions } from './server-config.js';
