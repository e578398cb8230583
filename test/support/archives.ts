// Archives built by the tests, hostile ones included: tar.gz through tar-stream's packer, zip by hand
// (zip writers refuse the names a hostile archive needs).
import { crc32, deflateRawSync, gzipSync } from 'node:zlib'
import tarStream from 'tar-stream'

export interface TarEntry {
  name: string
  content?: Buffer | string
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo'
  linkname?: string
}

export async function tarGz(entries: TarEntry[]): Promise<Buffer> {
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer)
  })()
  for (const entry of entries) {
    const content = entry.content === undefined ? undefined : Buffer.from(entry.content)
    await new Promise<void>((done, fail) => {
      pack.entry(
        { name: entry.name, type: entry.type ?? 'file', linkname: entry.linkname, size: content?.length ?? 0 },
        content ?? '',
        (error) => (error ? fail(error) : done()),
      )
    })
  }
  pack.finalize()
  await collected
  return gzipSync(Buffer.concat(chunks))
}

export interface ZipEntry {
  name: string
  content: Buffer | string
  deflate?: boolean
  /** Unix mode in the external attributes: 0o120000 marks a symlink. */
  mode?: number
  /** What the headers claim the entry inflates to, when a test wants them to lie. */
  declaredSize?: number
}

export function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const entry of entries) {
    const content = Buffer.from(entry.content)
    const data = entry.deflate ? deflateRawSync(content) : content
    const name = Buffer.from(entry.name, 'utf8')
    const crc = crc32(content)
    const size = entry.declaredSize ?? content.length
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(entry.deflate ? 8 : 0, 8)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(data.length, 18)
    local.writeUInt32LE(size, 22)
    local.writeUInt16LE(name.length, 26)
    locals.push(local, name, data)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4) // made by Unix: the external attributes carry a mode
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(entry.deflate ? 8 : 0, 10)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(data.length, 20)
    central.writeUInt32LE(size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, name)
    offset += local.length + name.length + data.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}
