import { runMain } from '@handrail/runtime';
import { guardrailService } from './service.js';

runMain(guardrailService());
