/**
 * `POST /api/documents/upload`: one or several `file` parts (+ an optional
 * `metadata` JSON field), `?onConflict=replace|keep-both|reject`. Every file
 * gets its own outcome; a single file that cannot be stored answers its error
 * (415, 413, 409…), as before multi-file uploads existed.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { BentoError, InvalidInputError, TooLargeError, type ErrorCode } from '../../core/errors.js'
import { parseMetadataJson, type Metadata } from '../../core/metadata.js'
import type { UploadFileInput } from '../../ops/upload.js'
import { uploadQuerySchema, type UploadOutcomeWire, type UploadResponse } from '../../api/schemas.js'
import { describeError } from '../errors.js'
import { logRequestError } from '../log.js'
import type { BentoEnv } from '../context.js'
import type { ServerDeps } from '../deps.js'
import { readQuery } from '../validation.js'
import { effectiveQuota } from '../../ops/quota.js'

// Multipart framing (boundaries, part headers) around the files.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024
const FORM_FIELDS = ['file', 'metadata']
const HIDDEN_CODES = new Set(['internal', 'io_error', 'unsafe_path', 'corrupt_store'])
const EXPECTED = 'Expected a multipart/form-data body with one or more "file" fields (and an optional "metadata" JSON field).'

// The upload op pulls in the ingest pipeline (pdfjs, mammoth): loaded on the first upload.
const loadUploadOp = () => import('../../ops/upload.js')

export const documentUploadRoutes = (deps: ServerDeps): Hono<BentoEnv> => {
  const { backend, config } = deps
  const limits = config.uploadLimits
  const requestTooLarge = () => {
    throw new TooLargeError(`The upload request is larger than the ${limits.maxRequestBytes}-byte limit (each file at most ${limits.maxFileBytes} bytes).`)
  }
  const fileTooLarge = (name: string) => new TooLargeError(`The upload ${JSON.stringify(name)} is larger than the ${limits.maxFileBytes}-byte limit.`)

  return new Hono<BentoEnv>().post(
    '/api/documents/upload',
    bodyLimit({ maxSize: limits.maxRequestBytes + MULTIPART_OVERHEAD_BYTES, onError: requestTooLarge }),
    async (c) => {
      const scope = c.get('scope')
      const { onConflict } = readQuery(c, uploadQuerySchema)
      let form: FormData
      try {
        form = await c.req.formData()
      } catch {
        throw new InvalidInputError(EXPECTED)
      }
      const unknown = [...new Set(form.keys())].filter((name) => !FORM_FIELDS.includes(name))
      if (unknown.length > 0) throw new InvalidInputError(`Unknown form field ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known: ${FORM_FIELDS.join(', ')}.`)
      const files = form.getAll('file')
      if (files.length === 0 || files.some((file) => !(file instanceof File))) throw new InvalidInputError(EXPECTED)
      if (files.length > limits.maxFiles) throw new InvalidInputError(`At most ${limits.maxFiles} files per upload; this one has ${files.length}.`)
      const metadataFields = form.getAll('metadata')
      if (metadataFields.length > 1 || metadataFields.some((field) => typeof field !== 'string')) throw new InvalidInputError('"metadata" must be one JSON text field.')
      const metadata: Metadata | undefined = metadataFields.length === 1 ? parseMetadataJson(metadataFields[0] as string) : undefined

      const inputs: UploadFileInput[] = []
      const oversized = new Map<number, TooLargeError>()
      for (const [index, file] of (files as File[]).entries()) {
        if (file.size > limits.maxFileBytes) oversized.set(index, fileTooLarge(file.name))
        inputs.push({ fileName: file.name, bytes: file.size > limits.maxFileBytes ? new Uint8Array(0) : new Uint8Array(await file.arrayBuffer()) })
      }
      if (files.length === 1 && oversized.has(0)) throw oversized.get(0)!
      const { uploadDocuments } = await loadUploadOp()
      const storable = inputs.filter((_, index) => !oversized.has(index))
      // The original error of each file that failed (its cause and stack go to the log, never to the client).
      const failures = new Map<string, BentoError>()
      const quota = await effectiveQuota(backend, scope, config.quota)
      const stored = await uploadDocuments(backend, scope, storable, { onConflict, metadata, limits, quota, onFileError: (file, error) => failures.set(file, error) })
      let next = 0
      const results = inputs.map((input, index): UploadOutcomeWire => {
        const tooLarge = oversized.get(index)
        const result = tooLarge ? { file: input.fileName, outcome: 'skipped' as const, reason: tooLarge.message, error: { code: tooLarge.code, message: tooLarge.message } } : stored[next++]!
        if (result.outcome !== 'skipped' || !HIDDEN_CODES.has(result.error.code)) return result
        // Their messages can carry data-dir paths, which hold isolation keys: logged, never answered.
        // A single file's error is the request's: the app's error handler logs it, once.
        if (inputs.length > 1) logRequestError(deps.logger, c, failures.get(result.file) ?? new BentoError(result.error.code as ErrorCode, result.reason), { status: 500, route: '/api/documents/upload' }, 'upload file failed')
        const hidden = describeError(new BentoError(result.error.code as ErrorCode, result.reason)).body.error
        return { ...result, reason: hidden.message, error: hidden }
      })
      if (results.some((result) => result.outcome !== 'skipped')) c.get('bentoState').wrote = true

      const [only] = results
      if (results.length === 1 && only!.outcome === 'skipped') throw failures.get(only!.file) ?? new BentoError(only!.error.code as ErrorCode, only!.error.message)
      const storedCount = results.filter((result) => result.outcome !== 'skipped').length
      const body: UploadResponse = { message: `Stored ${storedCount} of ${results.length} files.`, results }
      if (results.length === 1 && only!.outcome !== 'skipped') {
        Object.assign(body, {
          message: `${only!.outcome === 'replaced' ? 'Replaced' : 'Uploaded'} ${only!.title} (${only!.chunks} chunks).`,
          documentId: only!.documentId,
          chunks: only!.chunks,
          title: only!.title,
          fileType: only!.fileType,
          outcome: only!.outcome,
          replaced: only!.replaced,
        })
      }
      return c.json(body)
    },
  )
}
