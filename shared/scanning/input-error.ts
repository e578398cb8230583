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
