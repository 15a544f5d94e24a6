/**
 * A bank: accounts with a balance in cents, and the transfers between them.
 */
import { fields, model, schema } from 'terrapin'

export const { Account, Transfer } = schema({
  Account: model('Account', {
    table: 'bank_account',
    fields: {
      id: fields.int({ pk: true }),
      owner: fields.char({ maxLength: 50, unique: true }),
      balance: fields.int({ description: 'cents; never below zero' }),
    },
  }),
  Transfer: model('Transfer', {
    table: 'bank_transfer',
    fields: {
      id: fields.int({ pk: true }),
      from: fields.foreignKey('Account', { relatedName: 'sent', onDelete: 'RESTRICT' }),
      to: fields.foreignKey('Account', { relatedName: 'received', onDelete: 'RESTRICT' }),
      amount: fields.int(),
      at: fields.datetime({ autoNowAdd: true }),
    },
  }),
})
