export { ident, sqlList, sqlString } from './sqlQuote.js';
