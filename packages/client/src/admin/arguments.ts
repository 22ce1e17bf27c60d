// Argument checks shared by the admin calls: a bad argument fails before anything is sent, with
// SAMSA_ERR_INVALID_ARGUMENT and the path of the field (`acls[2].operation`), since JavaScript callers get no
// compile-time check.

import { SamsaError, SamsaErrorCode } from '../errors.ts'

export function invalidArgument(message: string): SamsaError {
  return new SamsaError(SamsaErrorCode.INVALID_ARGUMENT, message)
}

/** Checks that `value` is an array (a non-empty one unless `allowEmpty`). */
export function checkList(field: string, value: unknown, allowEmpty = false): void {
  // A boolean, not a type guard: a guard would narrow a readonly array parameter to any[].
  const isList: boolean = Array.isArray(value)
  if (!isList || (!allowEmpty && (value as unknown[]).length === 0)) {
    throw invalidArgument(`${field} must be a${allowEmpty ? 'n' : ' non-empty'} array`)
  }
}

export function requireName(field: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value
  throw invalidArgument(`${field} must be a non-empty string`)
}
