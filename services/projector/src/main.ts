import { runMain } from '@handrail/runtime';
import { projectorService } from './service.js';

runMain(projectorService());
