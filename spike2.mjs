import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
let t = performance.now()
const db = await PGlite.create({ dataDir: process.argv[2], extensions: { vector } })
console.log('create', performance.now() - t); t = performance.now()
await db.exec('CREATE EXTENSION IF NOT EXISTS vector')
if (process.argv[3]) { const blob = await db.dumpDataDir('gzip'); console.log('dump', blob.size, performance.now() - t); (await import('fs')).writeFileSync(process.argv[3], Buffer.from(await blob.arrayBuffer())) }
await db.close()
