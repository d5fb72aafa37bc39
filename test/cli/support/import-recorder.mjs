// `node --import ./import-recorder.mjs bin/bento.js …`: appends the URL of every
// module the run imports to the file named by BENTO_TEST_IMPORTS_FILE.
import { register } from 'node:module'

register('./import-recorder-hooks.mjs', import.meta.url, { data: { file: process.env.BENTO_TEST_IMPORTS_FILE } })
