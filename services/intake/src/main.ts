import { runMain } from '@handrail/runtime';
import { intakeService } from './service.js';

runMain(intakeService());
