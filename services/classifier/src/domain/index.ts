export { trainingExamplesFromPolicy, ticketText, toClassification, classifyTicket } from './classify.js';
