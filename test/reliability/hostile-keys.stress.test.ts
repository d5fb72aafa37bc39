import { defineHostileKeySuite } from './hostile-key-suite.js'

// Every key of the corpus through every entry point.
defineHostileKeySuite({ name: 'hostile-keys' })
