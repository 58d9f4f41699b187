// The local issuer for `make demo` and the tests, on its own entry point so that nothing deployed
// imports it by accident: `@handrail/identity/dev`. Never run it in front of real users.
export { startDevIssuer, DEMO_USERS } from './dev-issuer.js';
export type { DevIssuer, DevIssuerOptions, DevUser, MintOptions } from './dev-issuer.js';
