export { demoPaths } from './paths.js';
