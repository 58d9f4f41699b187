import { runMain } from '@handrail/runtime';
import { escalationService } from './service.js';

runMain(escalationService());
