import { InputError, type InputErrorCode } from '../errors.js'

export type GitErrorCode = Exclude<InputErrorCode, 'bad_archive' | 'archive_bomb'>

/** Work that stops at a wall-clock deadline (epoch ms; none by default). */
export interface TimeBudget {
  deadline: number
}

export const noDeadline = Number.POSITIVE_INFINITY

/** Throws `time_budget` once the deadline has passed; `work` names what stopped, for the scan's error. */
export function checkDeadline(deadline: number, work: string): void {
  if (Date.now() > deadline) throw new GitError('time_budget', `${work} ran past its time budget`)
}

/** Every refusal of a pack, bundle or tree: a stable code for the scan record and a plain message. */
export class GitError extends InputError {
  constructor(code: GitErrorCode, message: string) {
    super(code, message)
    this.name = 'GitError'
  }
}
