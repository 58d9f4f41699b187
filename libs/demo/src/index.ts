export { demoPaths, demoServiceEnv } from './paths.js';
