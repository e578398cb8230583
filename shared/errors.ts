// Errors the data and domain layers throw, in their own words. They know nothing of HTTP: shared/http
// turns each into the envelope in one place (`toApiError`), where statuses and query parameters live.

export type DomainErrorKind = 'not_found' | 'name_taken' | 'has_children' | 'expired' | 'conflict'

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
    this.name = 'DomainError'
  }
}

/** `Project prj_… not found`: absent, or another tenant's (which must look the same). */
export const notFound = (what: string, id: string) => new DomainError('not_found', `${what} ${id} not found`)
/** A name already used where names are unique; `field` names the input that holds it. */
export const nameTaken = (message: string, field = 'name') => new DomainError('name_taken', message, { field })
/** A delete refused because things still hang off what is deleted. */
export const hasChildren = (message: string) => new DomainError('has_children', message)
/** Past its time: an upload that expired. */
export const expired = (message: string) => new DomainError('expired', message)
/** A state the change does not apply to, or a concurrent change that won. */
export const conflicting = (message: string) => new DomainError('conflict', message)

// A scan input that cannot be scanned: a hostile or broken pack, bundle or archive. The worker records
// its code on the scan and lives on; anything else thrown is a fault, retried by the queue.
export type InputErrorCode =
  | 'bad_signature'
  | 'bad_version'
  | 'bad_checksum'
  | 'corrupt_pack'
  | 'missing_base'
  | 'missing_object'
  | 'too_many_objects'
  | 'too_large'
  | 'time_budget'
  | 'unsafe_path'
  | 'bad_object'
  | 'bad_bundle'
  | 'bad_archive'
  | 'archive_bomb'

export class InputError extends Error {
  constructor(
    readonly code: InputErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'InputError'
  }
}
