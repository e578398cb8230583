export type GitErrorCode =
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

/** Every refusal of a pack, bundle or tree: a stable code for the scan record and a plain message. */
export class GitError extends Error {
  constructor(
    readonly code: GitErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'GitError'
  }
}
