import { runMain } from '@handrail/runtime';
import { connectorsService } from './service.js';

runMain(connectorsService());
