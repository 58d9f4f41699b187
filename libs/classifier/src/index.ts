export type { TrainingExample, Entity, ClassificationResult, Classifier } from './types.js';
