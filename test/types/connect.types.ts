/**
 * Type tests of connecting, checked by `tsc --noEmit`: connect's options, tortoise's
 * credentials form, and `init`'s configuration.
 */
import { Config, ConnectionConfig, ConnectOptions, Db, connect, init, isRetryable, TerrapinError } from 'terrapin'
import { Book } from '../../demo/models'

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
const expectType = <T extends true>(): T | undefined => undefined

// URLs with options, and options in code
const pg: Db = connect('postgres://app@db:5432/shop?pool=20&connectTimeout=2000')
const my: Db = connect('mysql://app@db:3306/shop', {
  pool: 5,
  connectTimeoutMs: 1000,
  idleTimeoutMs: 30_000,
  returning: false,
  onQuery: (e) => void e.durationMs,
})
void pg
void my

// @ts-expect-error the pool size is a number
connect('postgres://db/x', { pool: '5' })
// @ts-expect-error timeouts are named in milliseconds
connect('postgres://db/x', { connectTimeout: 5 })
// @ts-expect-error no such option
connect('mysql://db/x', { poolSize: 5 })

// tortoise's credentials form
const creds: ConnectionConfig = {
  engine: 'tortoise.backends.asyncpg',
  credentials: {
    host: 'db',
    port: 5432,
    user: 'app',
    password: 's',
    database: 'shop',
    maxsize: 10,
    connectTimeout: 2000,
    idleTimeout: 1000,
  },
}
// @ts-expect-error credentials have no such key
const badCreds: ConnectionConfig = { engine: 'tortoise.backends.mysql', credentials: { hostname: 'db' } }
void badCreds

// several connections, each app picks one
const config: Config = {
  connections: { default: 'sqlite://:memory:', pg: creds },
  apps: { books: { models: [Book], defaultConnection: 'pg' } },
  options: { pool: 4 } satisfies ConnectOptions,
}
void init(config)

// retryability is a predicate on the error union
expectType<Equals<Parameters<typeof isRetryable>[0], TerrapinError>>()
expectType<Equals<ReturnType<typeof isRetryable>, boolean>>()

// statement timeouts: a connect option and a URL parameter, in milliseconds
connect('postgres://db/x?statementTimeout=5000', { statementTimeoutMs: 5000 })
// @ts-expect-error the statement timeout is a number of milliseconds
connect('postgres://db/x', { statementTimeoutMs: '5s' })
// @ts-expect-error named in milliseconds, as the other timeouts
connect('postgres://db/x', { statementTimeout: 5000 })
