/** Makes a store look written before the lexical index existed: no file, no manifest entry. */
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

export const removeLexicalIndex = async (storeDir: string): Promise<void> => {
  await rm(path.join(storeDir, 'bento-lexical.bin'))
  const manifestPath = path.join(storeDir, 'bento.json')
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { files: Record<string, number> }
  delete manifest.files['bento-lexical.bin']
  await writeFile(manifestPath, JSON.stringify(manifest))
}
