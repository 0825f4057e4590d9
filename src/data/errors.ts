import { GradscopeError } from '../engine/errors.js';

/** A data set is missing, unreadable or malformed. The message names the file and the fix. */
export class DataError extends GradscopeError {
  override readonly name = 'DataError';
}
