import { fileURLToPath } from 'node:url';

const here = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/** The demo deployment's data, shipped with the project (written by us, not taken from shared data sets). */
export const demoPaths = Object.freeze({
  policy: here('../policy/demo-pack.yaml'),
  kb: here('../kb'),
  tickets: here('../tickets/sample-tickets.jsonl'),
  customers: here('../tickets/customers.json'),
});

/** What a deciding service needs to run the demo deployment: the services have no defaults of their own. */
export const demoServiceEnv = Object.freeze({ POLICY_FILE: demoPaths.policy, KB_DIR: demoPaths.kb });
