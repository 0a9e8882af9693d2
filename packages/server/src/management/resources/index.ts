export { MANAGEMENT_RESOURCES } from './all-resources.js';
