// Who is acting: OIDC/JWT access tokens verified against the issuer's keys, the console's sign-in
// flow, the CLI's token source, and a local issuer with named demo users for `make demo` and tests.
export { createVerifier, claimAt, discoverJwksUrl, TokenRejectedError, ACCEPTED_ALGORITHMS } from './verify.js';
export type { TokenVerifier, VerifiedToken, VerifierOptions, TokenProblem } from './verify.js';
export { createOidcClient, discoverEndpoints } from './oidc-client.js';
export type { OidcClient, OidcClientOptions, OidcEndpoints, AuthorizationRequest } from './oidc-client.js';
export { readAccessToken } from './token-source.js';
export { startDevIssuer, DEMO_USERS } from './dev-issuer.js';
export type { DevIssuer, DevIssuerOptions, DevUser, MintOptions } from './dev-issuer.js';
