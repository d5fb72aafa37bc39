import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import fs from 'fs'
let t = performance.now()
const db = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync('/tmp/pgspike/dump.tgz')]), extensions: { vector } })
console.log('create from dump', performance.now() - t); t = performance.now()
console.log((await db.query("select extversion from pg_extension where extname='vector'")).rows)
await db.close()
