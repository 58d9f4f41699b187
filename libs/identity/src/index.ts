// Who is acting: OIDC/JWT access tokens verified against the issuer's keys, the console's sign-in
// flow and the CLI's token source. The local demo issuer is `@handrail/identity/dev`.
export { createVerifier, claimAt, discoverJwksUrl, TokenRejectedError, ACCEPTED_ALGORITHMS } from './verify.js';
export type { TokenVerifier, VerifiedToken, VerifierOptions, TokenProblem } from './verify.js';
export { createOidcClient, discoverEndpoints } from './oidc-client.js';
export type { OidcClient, OidcClientOptions, OidcEndpoints, AuthorizationRequest } from './oidc-client.js';
export { readAccessToken } from './token-source.js';
