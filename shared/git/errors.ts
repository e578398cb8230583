import { InputError, type InputErrorCode } from '../errors.js'

export type GitErrorCode = Exclude<InputErrorCode, 'bad_archive' | 'archive_bomb'>

/** Every refusal of a pack, bundle or tree: a stable code for the scan record and a plain message. */
export class GitError extends InputError {
  constructor(code: GitErrorCode, message: string) {
    super(code, message)
    this.name = 'GitError'
  }
}
