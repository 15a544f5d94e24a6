/**
 * A small SQL tokenizer for the compilation laws: it splits compiled SQL into quoted
 * identifiers, string literals, placeholders and the rest, so the laws can count placeholders
 * and check that every identifier was quoted (and unquotes to a name the schema holds).
 */

export interface Tokens {
  /** Quoted identifiers, unquoted (`"a""b"` → `a"b`). */
  readonly idents: ReadonlyArray<string>
  /** String literals, as written between the quotes. */
  readonly literals: ReadonlyArray<string>
  /** Placeholders: `?`, or `$n` on PostgreSQL. */
  readonly placeholders: ReadonlyArray<string>
  /** Everything outside identifiers and literals. */
  readonly bare: string
}

/** Tokenizes SQL of a dialect (`"` quotes identifiers, or `` ` `` on MySQL, where `\` escapes in literals). */
export const tokenize = (sql: string, dialect: 'sqlite' | 'postgres' | 'mysql'): Tokens => {
  const q = dialect === 'mysql' ? '`' : '"'
  const idents: string[] = []
  const literals: string[] = []
  const placeholders: string[] = []
  let bare = ''
  let i = 0
  while (i < sql.length) {
    const c = sql[i]
    if (c === q || c === "'") {
      let j = i + 1
      let text = ''
      for (;;) {
        if (j >= sql.length) throw new Error(`unterminated ${c} at ${i} in ${sql}`)
        if (c === "'" && dialect === 'mysql' && sql[j] === '\\') {
          text += sql[j] + sql[j + 1]
          j += 2
          continue
        }
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            text += c
            j += 2
            continue
          }
          break
        }
        text += sql[j++]
      }
      ;(c === q ? idents : literals).push(text)
      bare += ' '
      i = j + 1
      continue
    }
    if (c === '?') {
      placeholders.push('?')
      bare += ' '
      i++
      continue
    }
    const m = dialect === 'postgres' && c === '$' ? /^\$\d+/.exec(sql.slice(i)) : null
    if (m) {
      placeholders.push(m[0])
      bare += ' '
      i += m[0].length
      continue
    }
    bare += c
    i++
  }
  return { idents, literals, placeholders, bare }
}
