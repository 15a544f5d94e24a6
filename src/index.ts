/**
 * terrapin: a typed, functional ORM in the spirit of tortoise-orm. Models are plain records,
 * queries are immutable plans built with `pipe`, and runners for SQLite, PostgreSQL and
 * MySQL/MariaDB interpret them with one semantics.
 *
 * The examples of this reference use these models (and every function they name comes from
 * 'terrapin'); an example followed by SQL shows what `compile(plan, dialect).sql` gives for that
 * plan on each dialect, as the tests check:
 *
 * ```ts
 * import { fields, model, schema } from 'terrapin'
 *
 * export const { Author, Book } = schema({
 *   Author: model('Author', {
 *     fields: { id: fields.int({ pk: true }), name: fields.char({ maxLength: 100, unique: true }) },
 *   }),
 *   Book: model('Book', {
 *     fields: {
 *       id: fields.int({ pk: true }),
 *       title: fields.char({ maxLength: 100 }),
 *       rating: fields.float({ null: true }),
 *       author: fields.foreignKey('Author', { relatedName: 'books' }),
 *     },
 *   }),
 * })
 * ```
 *
 * @packageDocumentation
 */ export * from './errors'
/** fp-ts's `pipe` and `flow`, re-exported so that one import works in every module system. */
export { pipe, flow } from 'fp-ts/function'
export { fields, validators } from './model/fields'
export type {
  Field,
  Fields,
  FieldOptions,
  ScalarField,
  ForeignKeyField,
  ManyToManyField,
  ScalarKind,
  OnDelete,
  Validator,
} from './model/fields'
export { model, schema } from './model/model'
export type { Model, AnyModel, ModelMeta, Column } from './model/model'
export type { RowOf, InsertOf, PatchOf, PkOf } from './model/types'
export type {
  Plan,
  ResultOf,
  Select,
  Terminal,
  Insert,
  Update,
  Delete,
  Upsert,
  Link,
  BulkUpdate,
  Raw,
  FilterNode,
  Lookup,
  DatePart,
  Param,
} from './plan/ast'
export { LOOKUPS, DATE_PARTS } from './plan/ast'
export { q, param } from './plan/filter'
export type { Q, FilterArg } from './plan/filter'
export type { FilterOf, OrderKey, KeyOf } from './plan/filter-types'
export {
  query,
  where,
  filter,
  exclude,
  orderBy,
  limit,
  offset,
  distinct,
  values,
  valuesList,
  valuesFlat,
} from './plan/query'
export type { Query } from './plan/query'
export { all, first, get, getOrNone, count, exists } from './plan/terminal'
export { create, bulkCreate, update, remove, save, getOrCreate, updateOrCreate } from './plan/write'
export type { BulkCreateOptions } from './plan/write'
export { prefetch, prefetchWith } from './plan/prefetch'
export { selectRelated } from './plan/select-related'
export { earliest, last, latest } from './plan/latest'
export { inBulk } from './plan/in-bulk'
export { only } from './plan/only'
export { manager } from './plan/manager'
export type { Manager, ManagerSpec, ManagerHelper, ManagerHelpers } from './plan/manager'
export type { ToOnePath } from './plan/select-related'
export { related } from './plan/related'
export type { RelatedRows, ManyToManyManager, RowRefOf } from './plan/related'
export type { RelationNames, Prefetched } from './model/relation-types'
export { prepare, bind, bindEach } from './plan/prepared'
export type { Prepared, Bound, BoundEach, Values } from './plan/prepared'
export {
  F,
  OuterRef,
  Subquery,
  Count,
  Sum,
  Avg,
  Min,
  Max,
  Lower,
  Upper,
  Length,
  Trim,
  Coalesce,
  Concat,
} from './plan/expr'
export type { Expr, AggregateOptions } from './plan/expr'
export { Value, When, Case, RawSQL } from './plan/expr'
export { annotate, groupBy, selectForUpdate } from './plan/aggregate'
export type { LockOptions } from './plan/aggregate'
export { sql, rowsOf } from './plan/raw'
export { bulkUpdate } from './plan/write'
export type { BulkUpdateOptions } from './plan/write'
export { stream, explain } from './run/stream'
export type { StreamOptions } from './run/stream'
export { compile, dialects } from './compile'
export type { DialectName, Dialect } from './compile'
export { run, runPromise, runSync } from './run/run'
export type { Db, Runnable, RunOptions } from './run/run'
export { transaction, inTransaction } from './run/transaction'
export type { TransactionOptions, RetryOptions, Isolation } from './run/transaction'
export { withHooks } from './run/lifecycle'
export type { Hooks, BeforeSave, AfterSave, HookResult } from './run/lifecycle'
export { connect, close } from './run/connect'
export type { ConnectOptions } from './run/connect'
export type { QueryEvent, QueryHook, Executor } from './run/executor'
export { generateSchemas, schemaSql } from './schema/ddl'
export { describe } from './schema/describe'
export type {
  ModelDescription,
  FieldDescription,
  RelationDescription,
  RelationKind,
  ConstraintDescription,
  DefaultDescription,
  DbTypes,
  JsonData,
} from './schema/describe'
export { init, closeConnections, runAsync, connectionUrl } from './integrations/tortoise'
export type { Config, FullConfig, UrlConfig, Terrapin, ConnectionConfig, AppConfig } from './integrations/tortoise'
export {
  initDb,
  makeMigration,
  upgrade,
  downgrade,
  history,
  heads,
  check,
  introspect,
  parseRename,
  loadModule,
} from './migrate'
export type {
  MigrationTarget,
  MigrationError,
  MigrationFailure,
  MigrationReason,
  MakeOptions,
  Made,
  UpgradeOptions,
  UpgradeResult,
  DowngradeOptions,
  DowngradeResult,
  Applied,
  ChangedFile,
  HistoryEntry,
  Head,
  Rename,
  Ask,
  ProgressEvent,
  MigrationSteps,
  MigrationStep,
  MigrationGuards,
  DataStep,
  SchemaState,
  CheckResult,
  IntrospectOptions,
} from './migrate'
export { jsonSchema, fromJson } from './schema/json-schema'
export type { JsonSchema, JsonSchemaMode, JsonSchemaOptions } from './schema/json-schema'
