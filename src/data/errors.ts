/** A data set is missing, unreadable or malformed. The message names the file and the fix. */
export class DataError extends Error {
  override readonly name = 'DataError';
}
