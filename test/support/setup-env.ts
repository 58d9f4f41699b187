import { inject } from 'vitest';

// Service processes and `handrail` runs started by the tests inherit it (see global-setup.ts).
process.env['ENCODER_STORE_DIR'] = inject('encoderStoreDir');
