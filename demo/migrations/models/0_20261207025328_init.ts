/**
 * Migration 0 of app models: init (written by terrapin at 2026-12-07T02:53:28.942Z).
 *
 *   create table author
 *   create table book
 *
 * `upgrade` and `downgrade` run in order on sqlite: a string is a statement, a function
 * `(db) => …` a data step (terrapin plans run with `run(db)`), in the same transaction where the
 * database allows it. `guards` count the rows whose values a step would lose (more than none
 * refuses it without --force). `state` is the models after this migration: the next diff starts there.
 */
import type { MigrationGuards, MigrationSteps } from 'terrapin'

export const upgrade: MigrationSteps = {
  sqlite: [
    'CREATE TABLE "author" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "name" VARCHAR(100) NOT NULL UNIQUE)',
    'CREATE TABLE "book" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" VARCHAR(100) NOT NULL, "rating" REAL, "publishedAt" TEXT NOT NULL, "author_id" INTEGER NOT NULL, CONSTRAINT "fk_book_author_id" FOREIGN KEY ("author_id") REFERENCES "author" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "idx_book_author_id" ON "book" ("author_id")',
  ],
}

export const downgrade: MigrationSteps = {
  sqlite: ['DROP TABLE "book"', 'DROP TABLE "author"'],
}

export const guards: MigrationGuards = {
  upgrade: [],
  downgrade: [
    { sql: 'SELECT COUNT(*) FROM "book"', message: 'drops table book, which holds rows' },
    { sql: 'SELECT COUNT(*) FROM "author"', message: 'drops table author, which holds rows' },
  ],
}

export const state = {
  models: [
    {
      name: 'Author',
      table: 'author',
      fields: {
        id: {
          kind: 'int',
          nullable: false,
          optional: true,
          options: {
            pk: true,
            generated: true,
          },
        },
        name: {
          kind: 'char',
          nullable: false,
          optional: false,
          options: {
            unique: true,
            maxLength: 100,
          },
        },
      },
    },
    {
      name: 'Book',
      table: 'book',
      fields: {
        id: {
          kind: 'int',
          nullable: false,
          optional: true,
          options: {
            pk: true,
            generated: true,
          },
        },
        title: {
          kind: 'char',
          nullable: false,
          optional: false,
          options: {
            maxLength: 100,
          },
        },
        rating: {
          kind: 'float',
          nullable: true,
          optional: true,
          options: {
            null: true,
          },
        },
        publishedAt: {
          kind: 'datetime',
          nullable: false,
          optional: true,
          options: {
            autoNowAdd: true,
          },
        },
        author: {
          kind: 'foreignKey',
          target: 'Author',
          nullable: false,
          optional: false,
          options: {
            onDelete: 'CASCADE',
          },
        },
      },
    },
  ],
}
