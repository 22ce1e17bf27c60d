import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { writeFileDurably } from './durable-write.ts'
import { isNotFound } from './file-system.ts'
import { MemoryFileSystem } from './memory-file-system.ts'

describe('MemoryFileSystem', () => {
  test('reads, writes at positions, truncates and lists like a file system', () => {
    const fs = new MemoryFileSystem()
    fs.mkdirp('/a/b')
    const file = fs.open('/a/b/f', { create: true })
    file.write(Buffer.from('hello'), 0)
    file.write(Buffer.from('!'), 7)
    assert.deepEqual(fs.readFile('/a/b/f'), Buffer.from('hello\0\0!'))
    file.truncate(4)
    const target = Buffer.alloc(10)
    assert.equal(file.read(target, 1), 3)
    assert.equal(target.subarray(0, 3).toString(), 'ell')
    assert.deepEqual(fs.list('/a'), ['b'])
    fs.rename('/a/b/f', '/a/g')
    assert.deepEqual(fs.list('/a'), ['b', 'g'])
    assert.equal(file.size(), 4, 'a handle follows its file through a rename')
    assert.throws(() => fs.open('/a/missing'), isNotFound)
    fs.removeTree('/a')
    assert.equal(fs.exists('/a/g'), false)
  })

  test('a crash keeps synced bytes and the chosen prefix of an unsynced tail', async () => {
    const fs = new MemoryFileSystem()
    fs.mkdirp('/d')
    const file = fs.open('/d/log', { create: true })
    file.write(Buffer.from('synced.'), 0)
    await file.datasync()
    file.write(Buffer.from('unsynced'), 7)
    assert.equal(fs.unsyncedBytes('/d/log'), 8)
    assert.equal(fs.crash().readFile('/d/log').toString(), 'synced.')
    const torn = fs.crash({ keepUnsyncedBytes: (_, n) => n / 2 })
    assert.equal(torn.readFile('/d/log').toString(), 'synced.unsy')
    assert.throws(() => file.write(Buffer.from('x'), 0), /EIO/, 'the crashed instance is dead')
  })

  test('a file overwritten since its last sync reverts to the synced content', async () => {
    const fs = new MemoryFileSystem()
    fs.mkdirp('/d')
    const file = fs.open('/d/f', { create: true })
    file.write(Buffer.from('abcdef'), 0)
    file.datasyncSync()
    file.truncate(2)
    file.write(Buffer.from('XYZ'), 2)
    const survivor = fs.crash()
    assert.equal(survivor.readFile('/d/f').toString(), 'abcdef')
    await writeFileDurably(survivor, '/d/checkpoint', Buffer.from('durable'))
    survivor.writeFile('/d/plain', Buffer.from('lost'))
    const after = survivor.crash()
    assert.equal(after.readFile('/d/checkpoint').toString(), 'durable')
    assert.equal(after.readFile('/d/plain').length, 0)
  })
})
