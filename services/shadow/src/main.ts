import { runMain } from '@handrail/runtime';
import { shadowService } from './service.js';

runMain(shadowService());
