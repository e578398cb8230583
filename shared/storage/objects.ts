// The uploads bucket: what the API writes and signs, and what the worker reads.
import { createReadStream, createWriteStream, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { s3, sdk } from '../aws/clients.js'
import { config } from '../config.js'

export async function putObject(
  key: string,
  body: Uint8Array,
  contentType = 'application/octet-stream',
): Promise<void> {
  await s3().send(
    new (sdk.s3().PutObjectCommand)({
      Bucket: config().UPLOADS_BUCKET,
      Key: key,
      Body: body,
      ContentType: contentType,
    }),
  )
}

/** A file's bytes as an object, streamed from disk (a kept pack reaches a gigabyte); its ETag. */
export async function putFile(
  key: string,
  path: string,
  contentType = 'application/octet-stream',
): Promise<string | undefined> {
  const answer = await s3().send(
    new (sdk.s3().PutObjectCommand)({
      Bucket: config().UPLOADS_BUCKET,
      Key: key,
      Body: createReadStream(path),
      ContentLength: statSync(path).size,
      ContentType: contentType,
    }),
  )
  return answer.ETag
}

/**
 * The object streamed into a file (the worker's input: never held whole in memory), and its ETag;
 * undefined when there is none.
 */
export async function downloadObject(key: string, path: string): Promise<{ etag?: string } | undefined> {
  try {
    const answer = await s3().send(new (sdk.s3().GetObjectCommand)({ Bucket: config().UPLOADS_BUCKET, Key: key }))
    await pipeline(answer.Body as Readable, createWriteStream(path))
    return { etag: answer.ETag }
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined
    throw error
  }
}

/** The whole object, as a Buffer over the bytes the SDK read (no copy: inputs reach a gigabyte). */
export async function getObjectBytes(key: string): Promise<Buffer> {
  const answer = await s3().send(new (sdk.s3().GetObjectCommand)({ Bucket: config().UPLOADS_BUCKET, Key: key }))
  const bytes = await answer.Body!.transformToByteArray()
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** The whole object, or undefined when there is none. */
export async function getObjectIfAny(key: string): Promise<Buffer | undefined> {
  try {
    return await getObjectBytes(key)
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return undefined
    throw error
  }
}

/**
 * A URL that lets its holder PUT one object, until it expires. The client's checksum setting
 * (WHEN_REQUIRED) keeps x-amz-checksum-* out of it: a baked-in checksum of an empty body makes S3
 * refuse real data (aws/aws-sdk-js-v3#6994).
 */
export function presignPut(key: string, expiresInS: number): Promise<string> {
  return sdk
    .presigner()
    .getSignedUrl(s3(), new (sdk.s3().PutObjectCommand)({ Bucket: config().UPLOADS_BUCKET, Key: key }), {
      expiresIn: expiresInS,
    })
}

/** The object's size and ETag, or undefined when there is none. */
export async function objectHead(key: string): Promise<{ size: number; etag?: string } | undefined> {
  try {
    const head = await s3().send(new (sdk.s3().HeadObjectCommand)({ Bucket: config().UPLOADS_BUCKET, Key: key }))
    return { size: head.ContentLength ?? 0, etag: head.ETag }
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound' || (error as { name?: string }).name === 'NoSuchKey')
      return undefined
    throw error
  }
}

/** The object's size, or undefined when there is none. */
export async function objectSize(key: string): Promise<number | undefined> {
  return (await objectHead(key))?.size
}

/** The first bytes of an object (a bundle's header), without reading the rest. */
export async function getObjectStart(key: string, bytes: number): Promise<Buffer> {
  const answer = await s3().send(
    new (sdk.s3().GetObjectCommand)({ Bucket: config().UPLOADS_BUCKET, Key: key, Range: `bytes=0-${bytes - 1}` }),
  )
  return Buffer.from(await answer.Body!.transformToByteArray())
}

/** Deletes every object under a prefix (a deleted repository's uploads), a listing page at a time. */
export async function deletePrefix(prefix: string): Promise<number> {
  const Bucket = config().UPLOADS_BUCKET
  let deleted = 0
  let ContinuationToken: string | undefined
  do {
    const page = await s3().send(new (sdk.s3().ListObjectsV2Command)({ Bucket, Prefix: prefix, ContinuationToken }))
    const objects = (page.Contents ?? []).map(({ Key }) => ({ Key }))
    if (objects.length)
      await s3().send(new (sdk.s3().DeleteObjectsCommand)({ Bucket, Delete: { Objects: objects, Quiet: true } }))
    deleted += objects.length
    ContinuationToken = page.NextContinuationToken
  } while (ContinuationToken)
  return deleted
}
