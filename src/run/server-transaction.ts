/**
 * Transaction bookkeeping of the pooled runners (PostgreSQL, MySQL), written once: the record of
 * the connection a transaction holds (lost or not, statements waiting on it, savepoints named so
 * far, whether its session changed); how a transaction or savepoint stands (`serverTransaction`:
 * the hook's events of its bracket, a failure, a loss, a failed COMMIT, BEGIN tried again) over a
 * small per-driver record (`ServerTx`) that only brackets; and that bracket for a driver that
 * sends BEGIN … COMMIT/ROLLBACK and SAVEPOINT … RELEASE/ROLLBACK TO as plain statements
 * (`plainBracket`).
 */
import { TerrapinFailure } from '../errors'
import { ExecutorOptions, Isolation } from './executor'
import { Classify } from './hook'
import { atCommit } from './pooled'

/**
 * The connection a transaction holds, as its statements (nested ones too, and the views
 * `withSignal` makes of the transaction) see it.
 */
export interface Held {
  /**
   * The connection was lost: nothing more may be given to the driver for it (a driver that
   * reconnects in place would run it outside the transaction).
   */
  lost: boolean
  /**
   * How to settle each statement not yet settled: a driver may leave statements it queued
   * (not yet sent) unsettled when the connection closes.
   */
  readonly waiting: Set<(e: unknown) => void>
  /** A statement may have changed the session: reset (or the connection dropped) at the end. */
  dirty: boolean
  /** Savepoints named so far. */
  savepoints: number
}

/** A held connection as a transaction begins. */
export const heldConnection = (): Held => ({ lost: false, waiting: new Set(), dirty: false, savepoints: 0 })

/** What a statement on a lost connection fails with (a connection error on every runner's `classify`). */
export const lostError = (): Error =>
  Object.assign(new Error("the transaction's connection was lost; nothing more was sent"), {
    code: 'CONNECTION_CLOSED',
  })

/** Marks the connection lost and fails the statements still waiting on it. */
export const lose = (held: Held): void => {
  held.lost = true
  for (const fail of held.waiting) fail(lostError())
  held.waiting.clear()
}

/** A transaction's statement: refused once its connection is lost, and telling of the loss. */
export const onHeld = async <A>(held: Held, classify: Classify, f: () => Promise<A>): Promise<A> => {
  if (held.lost) throw lostError()
  let fail!: (e: unknown) => void
  const gone = new Promise<never>((_, reject) => (fail = reject))
  held.waiting.add(fail)
  try {
    return await Promise.race([f(), gone])
  } catch (e) {
    if (classify(e)._tag === 'ConnectionError') lose(held)
    throw e
  } finally {
    held.waiting.delete(fail)
  }
}

/**
 * What a runner gives the shared bookkeeping (`serverTransaction`), `H` being its handle (on the
 * pool, or on the connection a transaction holds). The runner only brackets: it opens a
 * transaction or savepoint, runs the program in it, closes it or undoes it; which statements the
 * hook hears of, how a failure, a loss or a failed COMMIT is told, and when BEGIN is tried again
 * are decided here, the same for every pooled runner.
 */
export interface ServerTx<H> {
  readonly classify: Classify
  /** The options of a handle (its `onQuery` hook). */
  readonly options: (h: H) => ExecutorOptions
  /** The connection a handle inside a transaction holds (`undefined` on the pool). */
  readonly heldOf: (h: H) => Held | undefined
  /** The statements that open a transaction at `isolation`, as the hook is told of them. */
  readonly opening: (isolation?: Isolation) => ReadonlyArray<string>
  /**
   * `body` on a connection of its own (the handle it is given carries `held`) between the opening
   * statements and COMMIT, ROLLBACK instead when `body` rejects; rejects with the error of what
   * failed, and at once when the connection is lost (`lose(held)` or the driver's own notice).
   * Nothing more is sent for a connection known lost.
   */
  readonly begin: <A>(h: H, held: Held, isolation: Isolation | undefined, body: (tx: H) => Promise<A>) => Promise<A>
  /** `body` between SAVEPOINT `name` and its release, rolled back to it when `body` rejects. */
  readonly savepoint: <A>(h: H, name: string, body: (sp: H) => Promise<A>) => Promise<A>
  /**
   * Before the COMMIT of a transaction whose session changed: puts the session back, or does
   * nothing (the runner's `begin` then drops the connection after).
   */
  readonly reset: (tx: H) => Promise<unknown> | undefined
  /**
   * Whether a failed `begin` ran nothing of the program and may be tried once more (the server
   * refused BEGIN for its connection's sake).
   */
  readonly beginAgain: (e: unknown) => boolean
  /** Whether a failed COMMIT was refused by the driver before it was sent (so it surely did not commit). */
  readonly unsent: (e: unknown) => boolean
}

/**
 * How one transaction (or savepoint) stands, for the hook's events of its bracket: its opening,
 * closing and undoing statements, when the current one began, how far it got, and its connection.
 */
interface Scope {
  readonly open: ReadonlyArray<string>
  readonly close: string
  readonly undo: string
  t0: number
  phase: 'opening' | 'running' | 'failed' | 'closing'
  readonly held: Held
}

/** Tells the hook of a bracket statement (or that it failed). */
const tell = <H>(d: ServerTx<H>, h: H, t: Scope, sql: string, error?: unknown): void =>
  d.options(h).onQuery?.({
    sql,
    durationMs: performance.now() - t.t0,
    rows: 0,
    // a statement cancelled by its run's signal carries its typed error already
    error: error === undefined ? undefined : error instanceof TerrapinFailure ? error.error : d.classify(error, sql),
  })

/** Tells the hook of the opening statements, the last one with `error` if opening failed. */
const tellOpen = <H>(d: ServerTx<H>, h: H, t: Scope, error?: unknown): void =>
  t.open.forEach((sql, i) => tell(d, h, t, sql, i === t.open.length - 1 ? error : undefined))

/** A promise that never settles: what a program becomes after its connection is lost. */
const stranded = (): Promise<never> => new Promise(() => undefined)

/**
 * The program between the opening statements and COMMIT, as the runner's bracket runs it. After a
 * loss it never settles: the bracket has rejected already, and must not be asked for a ROLLBACK or
 * COMMIT it would write to a socket that is gone, or to the same connection reopened for other work.
 */
const program =
  <H, A>(d: ServerTx<H>, t: Scope, top: boolean, f: (tx: H) => Promise<A>) =>
  async (tx: H): Promise<A> => {
    tellOpen(d, tx, t)
    t.phase = 'running'
    let out: A
    try {
      out = await f(tx)
    } catch (e) {
      t.phase = 'failed'
      if (t.held.lost) return stranded()
      throw e
    } finally {
      t.t0 = performance.now()
    }
    if (t.held.lost) return stranded()
    // a session changed in the transaction would outlive its COMMIT on the pool's connection
    if (top && t.held.dirty) await d.reset(tx)
    t.phase = 'closing'
    return out
  }

/** What a failed transaction (or savepoint) tells the hook and its caller. */
const failed = <H>(d: ServerTx<H>, h: H, t: Scope, top: boolean, e: unknown): unknown => {
  // The connection closed while the program may still be running: its later statements must
  // not reach the driver.
  if (top && d.classify(e)._tag === 'ConnectionError') lose(t.held)
  // The opening failed, the program failed (undone), the connection was lost (the server rolls
  // back), or the end failed (COMMIT, or a statement the program had caught made the driver
  // roll back).
  if (t.phase === 'failed' && !t.held.lost) tell(d, h, t, t.undo)
  else if (t.phase === 'opening') tellOpen(d, h, t, e)
  else tell(d, h, t, t.phase === 'closing' ? t.close : t.undo, e)
  return top && t.phase === 'closing' && !d.unsent(e) ? atCommit(e, d.classify) : e
}

/**
 * `f` in a transaction on a connection of its own, or in a savepoint when `h` is inside one. A
 * COMMIT that failed because the connection was lost is `lostAtCommit` (the outcome is unknown);
 * a connection lost earlier is the driver's error as it is (nothing committed: retryable). A
 * savepoint on a connection known lost sends nothing.
 */
export const serverTransaction = async <H, A>(
  d: ServerTx<H>,
  h: H,
  f: (tx: H) => Promise<A>,
  isolation?: Isolation,
): Promise<A> => {
  const outer = d.heldOf(h)
  const held = outer ?? heldConnection()
  const name = outer ? `terrapin_sp${++held.savepoints}` : ''
  const t: Scope = {
    ...(outer
      ? { open: [`SAVEPOINT ${name}`], close: `RELEASE SAVEPOINT ${name}`, undo: `ROLLBACK TO SAVEPOINT ${name}` }
      : { open: d.opening(isolation), close: 'COMMIT', undo: 'ROLLBACK' }),
    t0: performance.now(),
    phase: 'opening',
    held,
  }
  // a savepoint on a connection known lost: the driver would write to a socket that is gone
  // (postgres.js: an uncaught TypeError a tick later)
  if (held.lost) {
    const e = lostError()
    tellOpen(d, h, t, e)
    throw e
  }
  const body = program(d, t, !outer, f)
  const begin = (): Promise<A> => (outer ? d.savepoint(h, name, body) : d.begin(h, held, isolation, body))
  try {
    // a BEGIN refused for its connection's sake ran nothing of the program: tried once more
    const out = await begin().catch((e: unknown) =>
      !outer && t.phase === 'opening' && d.beginAgain(e) ? begin() : Promise.reject(e as Error),
    )
    tell(d, h, t, t.close)
    return out
  } catch (e) {
    throw failed(d, h, t, !outer, e)
  }
}

/** `p`, rejecting as soon as `held` is lost (`lose`), whatever `p` is still waiting for. */
const unlessLost = async <A>(held: Held, p: Promise<A>): Promise<A> => {
  let fail!: (e: unknown) => void
  const gone = new Promise<never>((_, reject) => (fail = reject))
  held.waiting.add(fail)
  try {
    return await Promise.race([p, gone])
  } finally {
    held.waiting.delete(fail)
  }
}

/** What a runner that sends its bracket as plain statements gives `plainBracket`. */
export interface PlainTx<H> {
  /** A connection of the pool for the transaction alone, as a handle carrying `held`. */
  readonly reserve: (h: H, held: Held) => Promise<H>
  /** One statement on the held connection (the bookkeeping tells the hook of it). */
  readonly send: (tx: H, sql: string) => Promise<unknown>
  /**
   * Gives the connection back; `healthy` false when ROLLBACK failed or could not be sent (the
   * runner drops it then).
   */
  readonly release: (tx: H, healthy: boolean) => void
}

/**
 * `ServerTx`'s `begin` and `savepoint` as plain statements: BEGIN … COMMIT, ROLLBACK when the
 * program or COMMIT fails; SAVEPOINT … RELEASE, ROLLBACK TO when the program fails. A transaction
 * whose connection is lost ends at once, nothing more sent for it.
 */
export const plainBracket = <H>(
  p: PlainTx<H>,
  opening: ServerTx<H>['opening'],
): Pick<ServerTx<H>, 'begin' | 'savepoint'> => ({
  begin: async (h, held, isolation, body) => {
    const tx = await p.reserve(h, held)
    let healthy = true
    try {
      for (const sql of opening(isolation)) await p.send(tx, sql)
      try {
        const out = await unlessLost(held, body(tx))
        await p.send(tx, 'COMMIT')
        return out
      } catch (e) {
        if (held.lost) healthy = false
        else await p.send(tx, 'ROLLBACK').catch(() => (healthy = false))
        throw e
      }
    } finally {
      p.release(tx, healthy)
    }
  },
  savepoint: async (h, name, body) => {
    await p.send(h, `SAVEPOINT ${name}`)
    try {
      const out = await body(h)
      await p.send(h, `RELEASE SAVEPOINT ${name}`)
      return out
    } catch (e) {
      // After a deadlock MySQL has rolled back the whole transaction and the savepoint is
      // gone: the deadlock (retryable) is the error to report, not the missing savepoint.
      await p.send(h, `ROLLBACK TO SAVEPOINT ${name}`).catch(() => undefined)
      throw e
    }
  },
})
