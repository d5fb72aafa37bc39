/**
 * The ingest pipeline (chunking, extraction dispatch) is loaded on first use, or
 * in the background once a server listens, which also starts one extraction
 * worker, so the first upload does not wait for either. The parsers themselves
 * (pdfjs, mammoth, html-to-text) load only in the workers.
 */
type IngestModule = typeof import('../core/ingest/pipeline.js')

let loading: Promise<IngestModule> | undefined

export const loadIngest = (): Promise<IngestModule> => {
  loading ??= import('../core/ingest/pipeline.js')
  return loading
}
