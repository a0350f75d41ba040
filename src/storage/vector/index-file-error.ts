import { SqlError, SqlState } from '../../errors/sql-error.ts';

/**
 * A saved vector index that cannot be loaded: damaged, truncated, of another format version,
 * or saved for another index definition. XX001 (data_corrupted) like a damaged segment;
 * the caller's remedy is the same in every case: rebuild the index from the segment's rows.
 */
export class IndexFileError extends SqlError {
  constructor(readonly reason: string) {
    super(SqlState.DataCorrupted, `saved vector index cannot be loaded: ${reason}`);
    this.name = 'IndexFileError';
  }
}
