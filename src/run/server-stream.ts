/**
 * Streaming on the pooled runners (PostgreSQL, MySQL), written once: the loop over a driver's
 * cursor (`serverBatches`). A runner gives only the cursor, a record to ask for the next batch
 * and to give back what it holds (`BatchCursor`); the loop decides when a cursor is opened once
 * more, what a lost connection does to the transaction it belongs to, and that the cursor is
 * closed however the loop ends (read to its end, failed, or left early by the consumer).
 */
import { ExecutorOptions } from './executor'
import { Classify, reported } from './hook'
import { Held, lose, lostError } from './server-transaction'

/** One batch of rows, as arrays in select order. */
type Batch = ReadonlyArray<ReadonlyArray<unknown>>

/** A driver's cursor over one statement's result. */
export interface BatchCursor {
  /** The next batch, or `undefined` after the last one; rejects when the read failed (a lost connection too). */
  readonly next: () => Promise<Batch | undefined>
  /**
   * Gives back what the cursor holds, once, whatever happened: `complete` when it was read to its
   * end, else it was left early or failed (a result abandoned mid-way, or a connection lost).
   */
  readonly close: (complete: boolean) => void
}

/** What a runner gives `serverBatches` for one stream. */
export interface ServerStream {
  readonly classify: Classify
  /** The connection of the transaction the stream runs in (`undefined` on the pool). */
  readonly held: Held | undefined
  /** Sends the statement and opens its cursor. */
  readonly open: () => BatchCursor | Promise<BatchCursor>
  /**
   * Whether a cursor that failed before its first batch with `e` was never sent, so that it is
   * opened once more (PostgreSQL: an error left over from another statement).
   */
  readonly again: (e: unknown) => boolean
}

/**
 * A stream's batches, one in memory at a time. A stream inside a transaction whose connection is
 * known lost fails at once, sending nothing; a connection lost while it runs marks that
 * transaction lost (`lose`): nothing more is sent for it, and it ends at once.
 */
export async function* serverBatches(s: ServerStream): AsyncGenerator<Batch> {
  let cursor: BatchCursor | undefined
  let complete = false
  let rows = 0
  let retried = false
  try {
    if (s.held?.lost) throw lostError()
    cursor = await s.open()
    for (;;) {
      let batch: Batch | undefined
      try {
        batch = await cursor.next()
      } catch (e) {
        if (retried || rows > 0 || !s.again(e)) throw e
        retried = true
        cursor.close(false)
        cursor = undefined
        cursor = await s.open()
        continue
      }
      if (batch === undefined) break
      rows += batch.length
      yield batch
    }
    complete = true
  } catch (e) {
    if (s.held && s.classify(e)._tag === 'ConnectionError') lose(s.held)
    throw e
  } finally {
    cursor?.close(complete)
  }
}

/** A stream of a pooled runner: `serverBatches`, and the hook's one event for it when it ends (`reported`). */
export const serverStream = (
  opts: ExecutorOptions,
  sql: string,
  params: ReadonlyArray<unknown>,
  s: ServerStream,
): AsyncGenerator<Batch> => reported(opts, s.classify, sql, params, serverBatches(s))
