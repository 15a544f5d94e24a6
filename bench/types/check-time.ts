/**
 * `npm run bench:types [-- --models=50 --runs=3 --no-build]`
 *
 * How long `tsc` takes to type-check an application with a large schema, against terrapin as an
 * application installs it: the built declarations (`dist/*.d.ts`, which this script builds
 * first with `tsc -p tsconfig.build.json`). It generates, in a temporary directory, a schema of
 * `--models` models (a few plain fields each; a foreign key to the model before it and one to a
 * model further back, so reverse relations and paths of several hops exist; every fifth model
 * with a many-to-many), and for each model a handful of plans using relation paths: filters two
 * and three hops deep, forward and reverse, an ordering through a relation, a `q` combination,
 * a prefetch, plus one line per model that must NOT compile (a misspelt path, under
 * `@ts-expect-error`, so the check cannot pass by checking nothing). `terrapin` resolves through
 * `node_modules/terrapin` to this repository's `package.json` (`types: dist/index.d.ts`). Runs
 * `tsc --noEmit --extendedDiagnostics` `--runs` times and reports each run's "Check time" (and the
 * median), and writes `bench/results/type-check.md`.
 */
import { execFileSync } from 'child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs'
import { cpus, loadavg, tmpdir } from 'os'
import { join, resolve } from 'path'
import ts from 'typescript'

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const models = Number(arg('models', '50'))
const runs = Number(arg('runs', '3'))
const build = !process.argv.includes('--no-build')
const keep = process.argv.includes('--keep')
const outFile = arg('out', join(__dirname, '..', 'results', 'type-check.md'))
const root = resolve(__dirname, '..', '..')

const name = (i: number): string => `M${i}`
const lower = (i: number): string => `m${i}`
/** The model the i-th model's `parent` key points at, and its `other` key (further back). */
const parentOf = (i: number): number => i - 1
const otherOf = (i: number): number => Math.floor(i / 2)

const modelSource = (i: number): string => {
  const rel: string[] = []
  if (i > 0) rel.push(`      parent: fields.foreignKey('${name(parentOf(i))}', { relatedName: 'children' }),`)
  if (i > 1)
    rel.push(`      other: fields.foreignKey('${name(otherOf(i))}', { relatedName: 'others${i}', null: true }),`)
  if (i % 5 === 4) rel.push(`      tags: fields.manyToMany('${name(i - 3)}', { relatedName: 'tagged${i}' }),`)
  return [
    `  ${name(i)}: model('${name(i)}', {`,
    `    table: '${lower(i)}',`,
    '    fields: {',
    '      id: fields.int({ pk: true }),',
    '      name: fields.char({ maxLength: 100 }),',
    '      createdAt: fields.datetime(),',
    `      rank${i}: fields.int({ default: 0 }),`,
    `      score${i}: fields.float({ null: true }),`,
    `      active${i}: fields.boolean({ default: true }),`,
    `      code${i}: fields.char({ maxLength: 20, null: true }),`,
    ...rel,
    '    },',
    '  }),',
  ].join('\n')
}

/** Plans over the i-th model: relation paths forward (one to three hops), reverse, through a many-to-many. */
const plansSource = (i: number): string => {
  const m = name(i)
  const [up, up3, other] = [parentOf(i), parentOf(parentOf(parentOf(i))), otherOf(i)]
  const lines = [
    `// ${m}`,
    `export const p${i}a = pipe(query(${m}), where({ name__icontains: 'x', rank${i}__gte: ${i}, code${i}__isnull: false }))`,
  ]
  if (i > 0)
    lines.push(
      `export const p${i}b = pipe(query(${m}), where({ parent__name__startswith: 'a', parent__score${up}__lt: 2.5 }), orderBy('-parent__rank${up}', 'id'))`,
      `export const p${i}c = pipe(query(${m}), prefetch('parent'), limit(10))`,
      `// @ts-expect-error: ${m}'s parent has no field 'nmae'`,
      `export const p${i}x = pipe(query(${m}), where({ parent__nmae: 'x' }))`,
    )
  if (i > 2)
    lines.push(
      `export const p${i}d = pipe(query(${m}), where({ parent__parent__createdAt__year: 2024, other__active${other}: true }))`,
      `export const p${i}e = pipe(query(${m}), where(q.or({ parent__parent__parent__rank${up3}__in: [1, 2] }, { other__parent__name: 'y' })))`,
      `export const p${i}f = pipe(query(${m}), exclude({ parent__other__score${otherOf(up)}__isnull: true }), orderBy('parent__parent__name'))`,
    )
  if (i < models - 2)
    lines.push(
      `export const p${i}g = pipe(query(${m}), where({ children__name__contains: 'z', children__children__rank${i + 2}__gt: 1 }))`,
      `export const p${i}h = pipe(query(${m}), prefetch('children__children'))`,
    )
  if (i % 5 === 4)
    lines.push(
      `export const p${i}t = pipe(query(${m}), where({ tags__name: 'red', tags__parent__rank${i - 4}: 2 }), prefetch('tags'))`,
    )
  return lines.join('\n')
}

const generate = (dir: string): void => {
  const all = Array.from({ length: models }, (_, i) => i)
  writeFileSync(
    join(dir, 'models.ts'),
    [
      "import { fields, model, schema } from 'terrapin'",
      '',
      `export const { ${all.map(name).join(', ')} } = schema({`,
      ...all.map(modelSource),
      '})',
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'plans.ts'),
    [
      "import { pipe } from 'fp-ts/function'",
      "import { exclude, limit, orderBy, prefetch, q, query, where } from 'terrapin'",
      `import { ${all.map(name).join(', ')} } from './models'`,
      '',
      ...all.map(plansSource),
      '',
    ].join('\n'),
  )
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          types: [],
        },
        files: ['models.ts', 'plans.ts'],
      },
      null,
      2,
    ),
  )
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(root, join(dir, 'node_modules', 'terrapin'))
  symlinkSync(join(root, 'node_modules', 'fp-ts'), join(dir, 'node_modules', 'fp-ts'))
}

interface Run {
  /** The checker's CPU time (this process, nothing else runs in it meanwhile), seconds. */
  readonly checkCpu: number
  /** The same phase's wall time, seconds: tsc's "Check time" on a quiet machine. */
  readonly checkWall: number
  readonly types: number
  readonly instantiations: number
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

/**
 * One type-check of the generated application in this process, through the compiler API: the
 * program is parsed and bound first, then the semantic check alone is timed (tsc's "Check
 * time"), in CPU time as well as wall time, as a shared machine's load inflates the wall time.
 * Each run is a new program: nothing is reused between runs.
 */
const measure = (dir: string): Run => {
  const read = ts.readConfigFile(join(dir, 'tsconfig.json'), (f) => ts.sys.readFile(f))
  const config = ts.parseJsonConfigFileContent(read.config, ts.sys, dir)
  const program = ts.createProgram(config.fileNames, config.options)
  const checker = program.getTypeChecker()
  const c0 = cpuSeconds()
  const w0 = performance.now()
  const diagnostics = ts.getPreEmitDiagnostics(program)
  const checkCpu = cpuSeconds() - c0
  const checkWall = (performance.now() - w0) / 1000
  if (diagnostics.length > 0)
    throw new Error(
      `the generated application does not type-check:\n${ts.formatDiagnostics(diagnostics.slice(0, 20), {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => dir,
        getNewLine: () => '\n',
      })}`,
    )
  const counts = checker as unknown as { getTypeCount: () => number; getInstantiationCount: () => number }
  return { checkCpu, checkWall, types: counts.getTypeCount(), instantiations: counts.getInstantiationCount() }
}

/** tsc's own report for the same application (wall-clock phases, as `--extendedDiagnostics` prints them). */
const tscCheckTime = (dir: string): number => {
  const out = execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--extendedDiagnostics'],
    {
      encoding: 'utf8',
    },
  )
  const m = /^Check time:\s+([\d.]+)/m.exec(out)
  if (!m) throw new Error(`no "Check time" in tsc's output:\n${out}`)
  return Number(m[1])
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const main = (): void => {
  if (build)
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')],
      { stdio: 'inherit' },
    )
  const dir = mkdtempSync(join(tmpdir(), 'terrapin-types-'))
  try {
    generate(dir)
    const results = Array.from({ length: runs }, () => measure(dir))
    const tsc = tscCheckTime(dir)
    const plans = results.length && countPlans()
    const md = [
      '# Type-check time of a large schema against the built declarations',
      '',
      `\`npm run bench:types -- --models=${models} --runs=${runs}\`: ${models} models, ${plans} plans with relation-path`,
      'filters, orderings and prefetches (and one misspelt path per model under `@ts-expect-error`), type-checked',
      "(strict, skipLibCheck) against `dist/*.d.ts` as an application sees them. The check phase alone (tsc's",
      '"Check time"), timed in the compiler API in CPU and wall time, each run a new program; and one run of',
      '`tsc --extendedDiagnostics` for its own "Check time" (wall time: on a loaded machine it counts the waiting). ' +
        `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores, shared, load ${loadavg()[0].toFixed(1)}), Node ${process.versions.node}, TypeScript ${ts.version}.`,
      '',
      '| run | check, CPU | check, wall | types | instantiations |',
      '|---|---:|---:|---:|---:|',
      ...results.map(
        (r, k) =>
          `| ${k + 1} | ${r.checkCpu.toFixed(2)} s | ${r.checkWall.toFixed(2)} s | ${r.types.toLocaleString('en')} | ${r.instantiations.toLocaleString('en')} |`,
      ),
      '',
      `Median check time: **${median(results.map((r) => r.checkCpu)).toFixed(2)} s of CPU** (${median(results.map((r) => r.checkWall)).toFixed(2)} s wall); \`tsc --extendedDiagnostics\` "Check time": ${tsc.toFixed(2)} s.`,
      '',
    ].join('\n')
    writeFileSync(outFile, md)
    console.log(md)
  } finally {
    if (keep) console.log(`generated application kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  }
}

/** How many plans the generator writes (exported constants of plans.ts, the failing lines included). */
const countPlans = (): number =>
  Array.from({ length: models }, (_, i) => plansSource(i).split('\nexport const').length - 1).reduce((a, b) => a + b, 0)

main()
