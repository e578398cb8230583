import { describe, expect, it } from 'vitest'
import { publicUrl } from '../../shared/config.js'

describe('publicUrl', () => {
  it('keeps the path of the base URL, so links work under an API Gateway stage', () => {
    expect(publicUrl('/v1/git-uploads/u/repo.git', 'https://abc.execute-api.eu-west-1.amazonaws.com/api')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/api/v1/git-uploads/u/repo.git',
    )
    expect(publicUrl('/v1/x', 'https://api.vega.example.com/')).toBe('https://api.vega.example.com/v1/x')
    expect(publicUrl('/v1/x', 'http://localhost:8000')).toBe('http://localhost:8000/v1/x')
  })
})
