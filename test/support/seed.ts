/**
 * Jest's set-up for every test file: every fast-check property draws from the run's seed
 * (`FC_SEED`, which CI sets, or one drawn for the run), so a CI failure reproduces with the
 * seed it printed, whether or not the property passes `params` itself.
 */
import fc from 'fast-check'
import { SEED } from '../../laws/support/config'

fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: SEED })
