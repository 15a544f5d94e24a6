/**
 * What a database's catalog says of its tables, in one shape for every dialect: what migrations'
 * introspection (src/migrate/introspect.ts) turns into model state. Each dialect reads its own
 * catalog (the `catalog` member of its record); the helpers here read the values catalogs give.
 */
import { ScalarKind } from '../model/fields'

/** A JSON value (a column default as a catalog writes it, where it is a plain literal). */
export type CatalogJson =
  null | boolean | number | string | ReadonlyArray<CatalogJson> | { readonly [k: string]: CatalogJson }

/** A column as a catalog describes it. */
export interface LiveColumn {
  readonly name: string
  readonly kind: ScalarKind
  readonly maxLength?: number
  readonly maxDigits?: number
  readonly decimalPlaces?: number
  readonly null: boolean
  readonly default?: CatalogJson
  readonly autoIncrement: boolean
  /** The column's comment (none where the database keeps none). */
  readonly comment?: string
}

export interface LiveForeignKey {
  readonly column: string
  readonly table: string
  readonly to: string
  readonly onDelete: string
}

/** A table as a catalog describes it. */
export interface LiveTable {
  readonly name: string
  readonly columns: ReadonlyArray<LiveColumn>
  readonly pk: ReadonlyArray<string>
  /** Column lists unique together (one column: that column's unique). */
  readonly uniques: ReadonlyArray<ReadonlyArray<string>>
  /** Column lists of the other indexes (not those the database made for a foreign key). */
  readonly indexes: ReadonlyArray<ReadonlyArray<string>>
  readonly foreignKeys: ReadonlyArray<LiveForeignKey>
  /** The table's comment (none where the database keeps none). */
  readonly comment?: string
}

/** A read of catalog rows (as arrays), with parameters. */
export type CatalogRows = (
  sql: string,
  params?: ReadonlyArray<unknown>,
) => Promise<ReadonlyArray<ReadonlyArray<unknown>>>

/** How a dialect reads its catalog: the query listing the tables (ordered by name), and each table's description. */
export interface Catalog {
  readonly tables: string
  readonly read: (rows: CatalogRows, names: ReadonlyArray<string>) => Promise<ReadonlyArray<LiveTable>>
}

export const str = (x: unknown): string =>
  typeof x === 'string'
    ? x
    : x === null || x === undefined
      ? ''
      : Buffer.isBuffer(x)
        ? x.toString('utf8')
        : typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean'
          ? String(x)
          : JSON.stringify(x)
export const num = (x: unknown): number | undefined => (x === null || x === undefined ? undefined : Number(x))
/** A catalog's comment: none for NULL or empty text (MySQL's way of saying none). */
export const commentOf = (x: unknown): { readonly comment?: string } =>
  x === null || x === undefined || str(x) === '' ? {} : { comment: str(x) }
export const list = (x: unknown): ReadonlyArray<string> => (str(x) === '' ? [] : str(x).split(','))

/** A kind from a declared or catalog type (lower case), with its length or precision. */
export const kindOf = (
  type: string,
  len?: number,
  precision?: number,
  scale?: number,
): Omit<LiveColumn, 'name' | 'null' | 'autoIncrement'> => {
  // MariaDB writes display widths (int(11)); a boolean is tinyint(1)
  const t = type
    .toLowerCase()
    .trim()
    .replace(/ unsigned$/, '')
    .replace(/^(smallint|int|integer|bigint)\(\d+\)$/, '$1')
  const m = /^(?:varchar|character varying)\s*\((\d+)\)$/.exec(t)
  if (m) return { kind: 'char', maxLength: Number(m[1]) }
  if (t === 'varchar' || t === 'character varying')
    return { kind: 'char', ...(len !== undefined ? { maxLength: len } : {}) }
  const dec = /^(?:numeric|decimal)\s*\((\d+),\s*(\d+)\)$/.exec(t)
  if (dec) return { kind: 'decimal', maxDigits: Number(dec[1]), decimalPlaces: Number(dec[2]) }
  if (t === 'numeric' || t === 'decimal')
    return { kind: 'decimal', maxDigits: precision ?? 20, decimalPlaces: scale ?? 6 }
  if (t === 'integer' || t === 'int') return { kind: 'int' }
  if (t === 'bigint') return { kind: 'bigint' }
  if (t === 'smallint') return { kind: 'smallint' }
  if (t === 'boolean' || t === 'tinyint(1)') return { kind: 'boolean' }
  if (t === 'real' || t === 'double' || t === 'double precision') return { kind: 'float' }
  if (t.startsWith('timestamp') || t.startsWith('datetime')) return { kind: 'datetime' }
  if (t === 'date') return { kind: 'date' }
  if (t.startsWith('time')) return { kind: 'time' }
  if (t === 'uuid' || t === 'char(36)') return { kind: 'uuid' }
  if (t === 'jsonb') return { kind: 'json' }
  if (t === 'blob' || t === 'bytea' || t === 'longblob') return { kind: 'binary' }
  return { kind: 'text' }
}

/** A default as the catalog writes it, as a JSON value where it is a plain literal. */
export const defaultOf = (raw: unknown): CatalogJson | undefined => {
  if (raw === null || raw === undefined) return undefined
  const s = str(raw)
    .replace(/::[a-z ]+(\(\d+\))?$/i, '')
    .trim()
  // an integer beyond a double's (a BIGINT's) stays text, digit for digit
  if (/^-?\d+$/.test(s) && !Number.isSafeInteger(Number(s))) return s
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s)
  const q = /^'((?:[^']|'')*)'$/.exec(s)
  if (q) return q[1].replace(/''/g, "'")
  if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true'
  return undefined
}
