import { runMain } from '@handrail/runtime';
import { consoleService } from './service.js';

runMain(consoleService());
