/**
 * The ingest pipeline pulls in pdfjs and mammoth (~0.8 s to import). It is
 * loaded on first use, or in the background once a server listens, so startup
 * and the routes that never ingest do not wait for it.
 */
type IngestModule = typeof import('../core/ingest/pipeline.js')

let loading: Promise<IngestModule> | undefined

export const loadIngest = (): Promise<IngestModule> => {
  loading ??= import('../core/ingest/pipeline.js')
  return loading
}
