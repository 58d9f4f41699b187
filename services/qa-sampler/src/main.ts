import { runMain } from '@handrail/runtime';
import { qaSamplerService } from './service.js';

runMain(qaSamplerService());
