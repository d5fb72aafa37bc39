import { defineHostileKeySuite } from './hostile-key-suite.js'

// Every key through the key module; an even 150-key sample (the stress suite takes every key) through the CLI and HTTP entry points.
defineHostileKeySuite({ name: 'hostile-keys-fast', sample: 150 })
