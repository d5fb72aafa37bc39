import { defineHostileKeySuite } from './hostile-key-suite.js'

// Every key through the key module; an even 600-key sample through the CLI and HTTP entry points.
defineHostileKeySuite({ name: 'hostile-keys-fast', sample: 600 })
