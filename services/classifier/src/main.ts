import { runMain } from '@handrail/runtime';
import { classifierService } from './service.js';

runMain(classifierService());
