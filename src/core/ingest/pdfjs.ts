/**
 * pdf.js's legacy build without its process-wide side effects. Its bundled
 * core-js polyfills replace `JSON.parse`, `Array.prototype.push` and
 * `Function.prototype.toString` (to make the shims look native), though Node 20
 * has them natively: every JSON parse and array push of the whole process — the
 * host application's too, Bento being a library — then ran through JS shims
 * (a JSON.parse shim frame in every server request's profile). Those three are
 * put back once the module has loaded; pdf.js reads PDFs with the natives
 * (test/core/ingest). What it adds (Promise.withResolvers, Iterator helpers…)
 * stays: pdf.js needs some of it on Node 20. Test: test/core/ingest/pdfjs.test.ts.
 */
const restored = ([[JSON, 'parse'], [Array.prototype, 'push'], [Function.prototype, 'toString']] as const).map(([owner, name]) => ({
  owner,
  name,
  descriptor: Object.getOwnPropertyDescriptor(owner, name)!,
}))

const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')

for (const { owner, name, descriptor } of restored) {
  if (Object.getOwnPropertyDescriptor(owner, name)?.value !== descriptor.value) Object.defineProperty(owner, name, descriptor)
}

export const { getDocument } = pdfjs
