import { runMain } from '@handrail/runtime';
import { draftingService } from './service.js';

runMain(draftingService());
